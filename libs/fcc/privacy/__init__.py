"""Privacy helpers: pseudonymised exports for sharing data with model validators."""

from fcc.privacy.export import (
    ExportError,
    export_pseudonymised,
    hmac_sha256_hex,
    is_personal,
    pseudonymise,
)

__all__ = ["ExportError", "export_pseudonymised", "hmac_sha256_hex", "is_personal", "pseudonymise"]
