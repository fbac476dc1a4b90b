import subprocess
import sys

from fcc.cli import main


def test_help_lists_the_commands(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ["run", "generate", "demo", "doctor"]:
        assert command in out


def test_bad_date_is_a_usage_error(capsys):
    assert main(["run", "ingest", "--as-of", "2026-13-01"]) == 2
    assert "expected a date YYYY-MM-DD" in capsys.readouterr().err


def test_bad_config_override_exits_2_with_the_key(capsys, tmp_path):
    assert main(["doctor", "--lakehouse", str(tmp_path), "--set", "spark.nope=1"]) == 2
    assert "spark.nope: unknown key" in capsys.readouterr().err


def test_demo_with_no_customers_is_a_usage_error_before_spark_starts(capsys, tmp_path):
    lake = tmp_path / "lake"
    args = ["demo", "--lakehouse", str(lake), "--as-of", "2026-11-27", "--customers", "0"]
    assert main(args) == 2
    assert "--customers and --days must be positive" in capsys.readouterr().err
    assert not lake.exists()


def test_job_file_help_works_without_spark():
    out = subprocess.run(
        [sys.executable, "jobs/nightly.py", "--help"],
        capture_output=True,
        text=True,
        cwd=__file__.rsplit("/tests/", 1)[0],
        check=False,
    )
    assert out.returncode == 0 and "--as-of" in out.stdout


def test_backfill_with_an_unknown_step_is_a_usage_error_before_spark_starts(capsys, tmp_path):
    args = ["backfill", "--lakehouse", str(tmp_path), "--from", "2026-11-01", "--to", "2026-11-02"]
    assert main([*args, "--steps", "features,typologeis"]) == 2
    err = capsys.readouterr().err
    assert "unknown step(s) typologeis" in err and "typologies" in err
    assert not (tmp_path / "ops").exists()


def test_screen_rejects_bad_input_with_exit_2_before_spark_starts(capsys, tmp_path):
    lake = ["--lakehouse", str(tmp_path)]
    assert main(["screen", "  ", *lake]) == 2
    assert "the name to screen is empty" in capsys.readouterr().err
    assert main(["screen", "Ivan Sidorov", "--dob", "1961-13-01", *lake]) == 2
    assert "--dob '1961-13-01': expected YYYY-MM-DD, YYYY-MM or YYYY" in capsys.readouterr().err
    assert main(["screen", "Ivan Sidorov", "--country", "Atlantis", *lake]) == 2
    assert "not an ISO code or country name" in capsys.readouterr().err
    assert main(["hits", "decide", "abcdef12", "--decision", "maybe", "--reason", "x"]) == 2


def test_custom_list_load_needs_a_name_and_a_bad_row_fails_before_spark(capsys, tmp_path):
    lake = ["--lakehouse", str(tmp_path / "lake")]
    good = tmp_path / "block.csv"
    good.write_text("id,name\nB-1,Ann Example\n")
    assert main(["lists", "load", str(good), "--format", "csv", *lake]) == 2
    assert "--format csv needs --list-name" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text('id,name,dob\nB-1,"Ann ""A"" Example",1961-13\n')
    assert main(["lists", "load", str(bad), "--list-name", "x", *lake]) == 2
    assert "bad.csv:2: field dob = '1961-13'" in capsys.readouterr().err
    assert not (tmp_path / "lake").exists()  # nothing started, nothing written
