"""Ring detector: a rule family over entity clusters, feeding gold.rule_hits (producer=graph).

A synthetic-identity ring is several customers behind one device or phone, onboarded close
together, whose names and dates of birth all differ (fabricated identities). Households look
alike (a few people sharing a device, IP or landline) but share a surname part, and share IPs
rather than devices; office NAT IPs are hubs and never reach the graph.
"""

from __future__ import annotations

from datetime import date

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from fcc.core.settings.graph import RingRule

PRODUCER = "graph"
MAX_LISTED = 20  # members / identifiers listed in one hit's evidence


def _surname_tokens() -> Column:
    """Surname parts: family name (else the last word of the full name) split on spaces and hyphens."""
    surname = F.coalesce(
        F.col("family_name"), F.element_at(F.split(F.trim("full_name"), r"\s+"), -1)
    )
    tokens = F.split(F.lower(F.trim(surname)), r"[\s\-']+")
    return F.filter(tokens, lambda t: F.length(t) >= 2)


def anchor_groups(links: DataFrame, customers: DataFrame, rule: RingRule) -> DataFrame:
    """Per anchor identifier (device/phone): members and the KYC features the rule tests."""
    anchors = links.where(F.col("id_type").isin(rule.anchor_id_types)).select(
        "customer_id", "id_type", "id_value"
    )
    people = customers.select(
        "customer_id",
        F.lower(F.trim("full_name")).alias("name_key"),
        "dob",
        "onboarded_at",
        _surname_tokens().alias("surname_tokens"),
    )
    members = anchors.join(people, "customer_id", "left")
    key = ["id_type", "id_value"]
    seconds = F.unix_timestamp("onboarded_at")
    window = (
        Window.partitionBy(*key)
        .orderBy(seconds)
        .rangeBetween(0, rule.onboarding_window_days * 86400)
    )
    members = members.withColumn(
        "close", F.when(F.col("onboarded_at").isNotNull(), F.count("*").over(window)).otherwise(0)
    )
    related = (
        members.select(*key, "customer_id", F.explode("surname_tokens").alias("token"))
        .groupBy(*key, "token")
        .agg(F.count_distinct("customer_id").alias("n"))
        .where(F.col("n") >= 2)
        .groupBy(*key)
        .agg(F.count("*").alias("shared_surname_parts"))
    )
    return (
        members.groupBy(*key)
        .agg(
            F.count_distinct("customer_id").alias("members"),
            F.count_distinct("name_key").alias("distinct_names"),
            F.count_distinct("dob").alias("distinct_dobs"),
            F.max("close").alias("onboarded_close"),
            F.array_sort(F.collect_set("customer_id")).alias("member_ids"),
            F.min("onboarded_at").alias("first_onboarded"),
            F.max("onboarded_at").alias("last_onboarded"),
        )
        .join(related, key, "left")
        .withColumn("shared_surname_parts", F.coalesce("shared_surname_parts", F.lit(0)))
    )


def _fires(rule: RingRule) -> Column:
    """The rule's conditions over one anchor group."""
    cond = (F.col("members") >= rule.min_members) & (F.col("onboarded_close") >= rule.min_members)
    if rule.require_distinct_names:
        cond &= F.col("distinct_names") == F.col("members")
    if rule.require_distinct_dobs:
        cond &= F.col("distinct_dobs") == F.col("members")
    if rule.exclude_related_surnames:
        cond &= F.col("shared_surname_parts") == 0
    return cond


def ring_hits(
    links: DataFrame, customers: DataFrame, clusters: DataFrame, rule: RingRule, as_of: date
) -> DataFrame:
    """gold.rule_hits rows: one per customer in a firing anchor group (strongest group wins)."""
    groups = anchor_groups(links, customers, rule).where(_fires(rule))
    thresholds = F.struct(
        F.lit(rule.min_members).alias("min_members"),
        F.lit(rule.onboarding_window_days).alias("onboarding_window_days"),
        F.lit(rule.require_distinct_names).alias("require_distinct_names"),
        F.lit(rule.require_distinct_dobs).alias("require_distinct_dobs"),
        F.lit(rule.exclude_related_surnames).alias("exclude_related_surnames"),
    )
    # the struct takes plain columns: Spark 4.1 names aliased expressions inside it colN once
    # the structs are collected and sorted
    listed = groups.withColumns(
        {
            "first_onboarded": F.date_format("first_onboarded", "yyyy-MM-dd"),
            "last_onboarded": F.date_format("last_onboarded", "yyyy-MM-dd"),
            "listed_ids": F.slice("member_ids", 1, MAX_LISTED),
        }
    )
    identifier = F.struct(
        "id_type",
        "id_value",
        "members",
        "distinct_names",
        "distinct_dobs",
        "onboarded_close",
        "shared_surname_parts",
        "first_onboarded",
        "last_onboarded",
        F.col("listed_ids").alias("member_ids"),
    )
    per_customer = (
        listed.select(F.explode("member_ids").alias("customer_id"), identifier.alias("g"))
        .groupBy("customer_id")
        .agg(
            F.max("g.members").alias("members"),
            F.slice(F.sort_array(F.collect_list("g"), asc=True), 1, MAX_LISTED).alias(
                "shared_identifiers"
            ),
        )
        .join(clusters.select("customer_id", "cluster_id", "cluster_size"), "customer_id", "left")
    )
    evidence = F.to_json(
        F.struct(
            F.col("cluster_id").cast("string").alias("cluster_id"),
            "cluster_size",
            "members",
            "shared_identifiers",
            thresholds.alias("thresholds"),
        )
    )
    score = F.least(F.lit(100.0), F.lit(60.0) + F.lit(10.0) * (F.col("members") - rule.min_members))
    return per_customer.select(
        F.lit(as_of).alias("as_of"),
        F.sha2(
            F.concat_ws(
                "|",
                F.lit(as_of.isoformat()),
                "customer_id",
                F.lit(rule.rule_id),
                F.lit(rule.version),
            ),
            256,
        ).alias("hit_id"),
        "customer_id",
        F.lit(PRODUCER).alias("producer"),
        F.lit(rule.rule_id).alias("rule_id"),
        F.lit(rule.version).alias("rule_version"),
        F.lit(rule.typology).alias("typology"),
        F.lit(rule.severity).alias("severity"),
        score.cast("double").alias("score"),
        evidence.alias("evidence"),
        F.array().cast("array<string>").alias("txn_ids"),
    )


def all_ring_hits(
    links: DataFrame, customers: DataFrame, clusters: DataFrame, rules: list[RingRule], as_of: date
) -> DataFrame | None:
    """Hits of every configured ring rule, or None when no rule is configured."""
    frames = [ring_hits(links, customers, clusters, rule, as_of) for rule in rules]
    if not frames:
        return None
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out
