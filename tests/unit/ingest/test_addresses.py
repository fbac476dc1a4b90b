import pytest
from pyspark.sql import functions as F

from fcc.ingest._common import strip
from fcc.ingest.addresses import (
    _strip_py,
    infer_chain,
    infer_chain_py,
    is_valid_address,
    is_valid_address_py,
    normalize_address,
    normalize_address_py,
    normalize_chain,
    normalize_chain_py,
    trim_whitespace,
)

ETH_CHECKSUM = "0x52908400098527886E0F7030069857D2E4169EE7"
BECH32_UPPER = "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"
BTC_LEGACY = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
BTC_P2SH = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
TRON_B58 = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
TRON_HEX = "41A614F803B6FD780986A42C78EC9C7F77E6DED13C"

# (chain, address, normalised, valid, inferred chain)
CASES = [
    ("ETH", ETH_CHECKSUM, ETH_CHECKSUM.lower(), True, "ETH"),
    ("eth", f"  {ETH_CHECKSUM}\t", ETH_CHECKSUM.lower(), True, "ETH"),
    ("ETH", "0x1234", "0x1234", False, None),
    ("ETH", "0x" + "g" * 40, "0x" + "g" * 40, False, None),
    ("BTC", BECH32_UPPER, BECH32_UPPER.lower(), True, "BTC"),
    ("BTC", BECH32_UPPER.lower(), BECH32_UPPER.lower(), True, "BTC"),
    (
        "BTC",
        "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        False,
        "BTC",
    ),
    ("XBT", BTC_LEGACY, BTC_LEGACY, True, "BTC"),
    ("BTC", BTC_P2SH, BTC_P2SH, True, "BTC"),
    ("BTC", BTC_LEGACY.lower(), BTC_LEGACY.lower(), False, None),  # base58 is case-sensitive
    (
        "BTC",
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a",
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a",
        False,
        None,
    ),
    ("TRON", TRON_B58, TRON_B58, True, "TRON"),
    ("TRX", TRON_HEX, TRON_HEX.lower(), True, "TRON"),
    ("TRON", "0x" + TRON_HEX, TRON_HEX.lower(), True, "TRON"),
    ("TRON", TRON_B58[:-1], TRON_B58[:-1], False, None),
    (
        "LTC",
        "LcHKx8bXmhZ5vWd1tYRw9uMRr2vNp9C7nR",
        "LcHKx8bXmhZ5vWd1tYRw9uMRr2vNp9C7nR",
        False,
        None,
    ),
    ("ETH", None, None, False, None),
]


@pytest.mark.parametrize(("chain", "address", "normalised", "valid", "inferred"), CASES)
def test_python_normalisation_and_validity_per_chain(chain, address, normalised, valid, inferred):
    assert normalize_address_py(chain, address) == normalised
    assert is_valid_address_py(chain, address) is valid
    assert infer_chain_py(address) == inferred


def test_chain_aliases_map_to_canonical_symbols():
    assert [normalize_chain_py(c) for c in ("xbt", " Ethereum ", "TRX", "BTC")] == [
        "BTC",
        "ETH",
        "TRON",
        "BTC",
    ]


def test_spark_columns_agree_with_python_twins(spark):
    df = spark.createDataFrame([(c[0], c[1]) for c in CASES], "chain string, address string")
    got = df.select(
        normalize_chain("chain").alias("ch"),
        normalize_address("chain", "address").alias("norm"),
        is_valid_address("chain", "address").alias("valid"),
        infer_chain("address").alias("inferred"),
    ).collect()
    expected = [(normalize_chain_py(c[0]), c[2], c[3], c[4]) for c in CASES]
    assert [tuple(r) for r in got] == expected


# around the text: ASCII whitespace goes, U+00A0 and U+2003 stay (Java's \s is ASCII only)
EDGES = [
    " \t\n\x0b\f\rab c \r\n",
    "\u00a0ab\u2003",
    "\u00a0 ab \u00a0",
    "ab",
    "",
    " \t ",
    None,
]


def test_trimmed_whitespace_is_what_javas_regular_expression_strips(spark):
    df = spark.createDataFrame([(v,) for v in EDGES], "v string")
    got = df.select(
        trim_whitespace("v").alias("trimmed"),
        F.regexp_replace("v", r"^\s+|\s+$", "").alias("regex"),
        strip(F.col("v")).alias("stripped"),
    ).collect()
    assert [r["trimmed"] for r in got] == [r["regex"] for r in got]
    assert [r["trimmed"] for r in got] == [None if v is None else _strip_py(v) for v in EDGES]
    assert [r["trimmed"] for r in got] == [
        "ab c",
        "\u00a0ab\u2003",
        "\u00a0 ab \u00a0",
        "ab",
        "",
        "",
        None,
    ]
    # strip: blank becomes null
    assert [r["stripped"] for r in got] == [
        "ab c",
        "\u00a0ab\u2003",
        "\u00a0 ab \u00a0",
        "ab",
        None,
        None,
        None,
    ]


def test_whitespace_before_a_final_line_separator_is_kept_like_the_python_twin(spark):
    # Java's `$` also matches before a final U+0085 / U+2028 / U+2029: the regular expression
    # removed the space before it; the trim and the Python twin keep it
    values = ["ab \u2028", "ab\t\u2029", " ab \u0085"]
    df = spark.createDataFrame([(v,) for v in values], "v string")
    got = df.select(
        trim_whitespace("v").alias("trimmed"),
        F.regexp_replace("v", r"^\s+|\s+$", "").alias("regex"),
    ).collect()
    assert [r["trimmed"] for r in got] == ["ab \u2028", "ab\t\u2029", "ab \u0085"]
    assert [r["trimmed"] for r in got] == [_strip_py(v) for v in values]
    assert [r["regex"] for r in got] == ["ab\u2028", "ab\u2029", "ab\u0085"]
