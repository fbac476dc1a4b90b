"""Privacy: generating data and running jobs through the CLI prints and logs no personal data."""

from __future__ import annotations

import logging
import re
from datetime import date

import pytest
from pyspark.sql import functions as F

from fcc.cli import main
from fcc.core.runs import safe_error, safe_traceback
from fcc.core.tables import bronze, silver
from fcc.pipeline import StepFailed

END = date(2026, 3, 31)


class _Everything(logging.Handler):
    """Keeps every record's message and traceback text."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record):
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.texts.append(f"{record.name}: {text}")


# PySpark's own failed-query loggers do not propagate to the root logger
_PYSPARK_QUERY_LOGGERS = ("SQLQueryContextLogger", "DataFrameQueryContextLogger")


@pytest.fixture
def captured_logs():
    from pyspark.logger import PySparkLogger

    root = logging.getLogger()
    handler, level = _Everything(), root.level
    loggers = [root] + [PySparkLogger.getLogger(n) for n in _PYSPARK_QUERY_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)
    root.setLevel(level)


def _personal_values(lakehouse) -> set[str]:
    """Names (words of 4+ letters), dates of birth and email identifiers of generated customers."""
    values: set[str] = set()
    for r in (
        lakehouse.read(bronze.CUSTOMERS)
        .select("full_name", "given_name", "family_name", "dob")
        .collect()
    ):
        for name in (r.full_name, r.given_name, r.family_name):
            if name:
                values.add(name)
                values.update(w for w in re.split(r"[\s,.'-]+", name) if len(w) >= 4)
        if r.dob:
            values.add(str(r.dob))
    emails = (
        lakehouse.read(bronze.IDENTIFIERS)
        .where((F.lower("id_type") == "email") | F.col("id_value").contains("@"))
        .select("id_value")
        .collect()
    )
    values.update(r.id_value for r in emails if r.id_value)
    return {v for v in values if len(v) >= 4}


@pytest.mark.slow
def test_generate_ingest_and_screening_print_and_log_no_names_dobs_or_emails(
    lakehouse, cli_conf, captured_logs, capsys
):
    common = ["--conf", cli_conf, "--log-level", "DEBUG"]
    codes = [
        main(
            ["generate", "--out", lakehouse.root, "--customers", "120", "--days", "10"]
            + ["--seed", "5", "--end-date", str(END), *common]
        )
    ]
    for job in ("ingest", "screening"):
        codes.append(
            main(["run", job, "--as-of", str(END), "--lakehouse", lakehouse.root, *common])
        )
    out = capsys.readouterr()
    personal = _personal_values(lakehouse)
    assert len(personal) > 120  # names, dates of birth and emails of 120 customers
    assert codes == [0, 0, 0]
    assert lakehouse.read(silver.CUSTOMERS).count() > 0  # ingest really processed the customers
    assert captured_logs.texts, "nothing was logged: the capture is broken"

    haystacks = {"stdout": out.out, "stderr": out.err, "logs": "\n".join(captured_logs.texts)}
    leaks = {
        where: sorted(v for v in personal if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", text))
        for where, text in haystacks.items()
    }
    assert leaks == {"stdout": [], "stderr": [], "logs": []}


def _spark_cast_error(spark, value: str) -> Exception:
    try:
        spark.sql(f"SELECT CAST('{value}' AS INT) AS n").collect()
    except Exception as exc:  # Spark 4 runs with ANSI on: the cast raises
        return exc
    raise AssertionError("the cast did not fail")


def test_spark_error_in_logs_and_ledger_withholds_the_quoted_value(spark):
    exc = _spark_cast_error(spark, "Marguerite Okonkwo")
    assert "Marguerite Okonkwo" in str(exc)  # what Spark itself would print
    text = safe_error(exc)
    assert "Marguerite" not in text and "Okonkwo" not in text
    assert "CAST_INVALID_INPUT" in text and "'<withheld>'" in text


def test_failing_query_logs_nothing_of_its_value_once_the_cli_set_up_logging(
    spark, tmp_path, captured_logs
):
    assert main(["docs", "tables", "--out", str(tmp_path / "t.md")]) == 0  # sets up logging
    _spark_cast_error(spark, "Marguerite Okonkwo")
    assert not [t for t in captured_logs.texts if "Okonkwo" in t]


DOB_AND_NAME = "1984-02-29 Okonkwo"


def test_failure_traceback_of_a_step_withholds_the_spark_value_of_its_cause(spark):
    try:
        try:
            raise _spark_cast_error(spark, DOB_AND_NAME)
        except Exception as exc:
            raise StepFailed(f"step ingest failed: {safe_error(exc)}") from exc
    except StepFailed as outer:
        text = safe_traceback(outer)
    assert "Okonkwo" not in text and "1984-02-29" not in text
    assert "StepFailed: step ingest failed" in text and "CAST_INVALID_INPUT" in text
    assert "test_privacy_logs.py" in text  # the frames are still there


def test_summary_evidence_withholds_matched_names_and_shared_identifiers_at_any_depth():
    from fcc.summary import WITHHELD, printable_evidence

    screening = {
        "entry_id": "SYNTH:PEP-C209809985",
        "list_name": "SYNTH",
        "matched_list_name": "Linda John Murphy",
        "name_score": 1.0,
    }
    ring = {
        "cluster_size": 7,
        "shared_identifiers": [{"id_type": "email", "id_value": "linda.murphy@example.com"}],
    }
    assert printable_evidence(screening) == {**screening, "matched_list_name": WITHHELD}
    assert printable_evidence(ring) == {
        "cluster_size": 7,
        "shared_identifiers": [{"id_type": "email", "id_value": WITHHELD}],
    }
