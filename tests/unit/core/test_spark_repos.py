from fcc.core.config import load_config
from fcc.core.spark import JVM_PACKAGES, maven_repositories


def test_extra_maven_repos_come_from_config_then_the_environment_without_repeats(monkeypatch):
    monkeypatch.setenv("FCC_MAVEN_REPOS", " file:///opt/maven , https://mirror.example/m2,")
    got = maven_repositories(["https://mirror.example/m2", "file:///srv/team"])
    assert got == ["https://mirror.example/m2", "file:///srv/team", "file:///opt/maven"]


def test_no_extra_maven_repos_when_neither_config_nor_environment_names_one(monkeypatch):
    monkeypatch.delenv("FCC_MAVEN_REPOS", raising=False)
    assert maven_repositories() == []


def test_the_session_asks_for_the_delta_41_and_graphframes_jars():
    assert JVM_PACKAGES == [
        "io.delta:delta-spark_4.1_2.13:4.4.0",
        "io.graphframes:graphframes-spark4_2.13:0.11.0",
    ]


def test_maven_repos_is_a_spark_setting_of_the_base_config():
    cfg = load_config(overrides=['spark.maven_repos=["file:///srv/m2"]'])
    assert cfg.spark.maven_repos == ["file:///srv/m2"]
