"""The typologies domain."""
