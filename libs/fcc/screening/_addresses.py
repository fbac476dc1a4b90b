"""Exact crypto-address screening: customer withdrawal addresses and on-chain counterparties
against list addresses, compared on a chain-aware match key."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

_EVM = r"^0[xX][0-9a-fA-F]{40}$"
_BECH32 = r"^[a-z]{1,83}1[qpzry9x8gf2tvdw0s3jn54khce6mua7l]{6,}$"


def address_key(address: Column) -> Column:
    """Match key of an address: EVM hex and bech32 compare case-insensitively (lower-cased),
    base58 and anything else compare exactly.

    Silver already holds chain-normalised addresses (ingest); the key applies the same case
    rules so a list address that arrived in another case still matches, while base58
    addresses (BTC legacy, TRON) that differ only in case never do. A bech32 string is only
    folded when it is in one case, as the format requires.
    """
    a = F.trim(address)
    single_case = (a == F.lower(a)) | (a == F.upper(a))
    return (
        F.when(a.rlike(_EVM), F.lower(a))
        .when(single_case & F.lower(a).rlike(_BECH32), F.lower(a))
        .otherwise(a)
    )


def _chains_agree(subject_chain: Column, list_chain: Column, key: Column) -> Column:
    """Same chain, one side without chain (withdrawal identifiers), or an EVM address (one key
    controls it on every EVM chain)."""
    return (
        subject_chain.isNull()
        | list_chain.isNull()
        | (F.upper(subject_chain) == F.upper(list_chain))
        | key.startswith("0x")
    )


def customer_addresses(identifiers: DataFrame, transactions: DataFrame) -> DataFrame:
    """Distinct (customer_id, chain, address, source) of every address a customer used."""
    withdrawal = identifiers.where(F.col("id_type") == "withdrawal_address").select(
        "customer_id",
        F.lit(None).cast("string").alias("chain"),
        F.col("id_value").alias("address"),
        F.lit("identifier").alias("source"),
    )
    onchain = transactions.where(
        (F.col("rail") == "onchain") & F.col("counterparty_id").isNotNull()
    ).select(
        "customer_id",
        "chain",
        F.col("counterparty_id").alias("address"),
        F.lit("counterparty").alias("source"),
    )
    return withdrawal.unionByName(onchain).distinct()


def list_addresses(entries: DataFrame) -> DataFrame:
    """One row per list crypto address with its entry."""
    return (
        entries.select(
            "entry_id",
            "list_name",
            "list_version",
            "entity_type",
            "entry_hash",
            F.explode("crypto_addresses").alias("ca"),
        )
        .select(
            "*", F.col("ca.chain").alias("list_chain"), F.col("ca.address").alias("list_address")
        )
        .drop("ca")
        .where(F.col("list_address").isNotNull())
        .withColumn("key", address_key(F.col("list_address")))
    )


def address_hits(addresses: DataFrame, entries: DataFrame) -> DataFrame:
    """Exact address matches -> gold.screening_hits columns (score 1, status open)."""
    subjects = addresses.withColumn("key", address_key(F.col("address")))
    listed = F.broadcast(list_addresses(entries))
    matched = subjects.join(listed, "key").where(
        _chains_agree(F.col("chain"), F.col("list_chain"), F.col("key"))
    )
    grouped = matched.groupBy("customer_id", "entry_id", "key").agg(
        F.first("list_name").alias("list_name"),
        F.first("list_version").alias("list_version"),
        F.first("entity_type").alias("entity_type"),
        F.first("entry_hash").alias("entry_hash"),
        F.min("address").alias("subject"),
        F.min("list_address").alias("matched_list_name"),
        F.min("list_chain").alias("list_chain"),
        F.min("chain").alias("subject_chain"),
        F.sort_array(F.collect_set("source")).alias("sources"),
    )
    return grouped.select(
        F.sha2(F.concat_ws("|", "customer_id", "entry_id", F.lit("address"), "key"), 256).alias(
            "hit_id"
        ),
        "customer_id",
        F.lit("address").alias("match_type"),
        "subject",
        "entry_id",
        "list_name",
        "list_version",
        "entity_type",
        "matched_list_name",
        F.lit(None).cast("double").alias("name_score"),
        F.lit(None).cast("double").alias("dob_score"),
        F.lit(None).cast("double").alias("country_score"),
        F.lit(1.0).alias("score"),
        F.lit(1.0).alias("threshold"),
        F.to_json(F.struct("list_chain", "subject_chain", "sources")).alias("components"),
        F.lit("open").alias("status"),
        F.sha2("key", 256).alias("customer_hash"),
        "entry_hash",
    )
