"""Entity graph: customers linked through shared identifiers and internal transfers.

The graph is bipartite (customer -> identifier vertex), so an identifier shared by n customers
costs n edges, not n^2. Identifiers shared by more customers than their type's cap are hubs
(office NAT IPs, shop kiosks, a processor's bank account): they are pruned and reported.
Vertex ids are xxhash64 of a typed key, so a customer's vertex id never changes and a
cluster's id (its smallest customer vertex id) is stable while its membership is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from fcc.core.settings.graph import EntityGraphSettings

Transform = Callable[[DataFrame], DataFrame]
INTERNAL_TRANSFER = "internal_transfer"  # evidence / hub id_type of an internal-transfer link


def customer_vertex(customer_id: Column) -> Column:
    """Long vertex id of a customer."""
    return F.xxhash64(F.lit("customer"), customer_id)


def identifier_vertex(id_type: Column, id_value: Column) -> Column:
    """Long vertex id of an identifier (typed, so an email and a device never collide)."""
    return F.xxhash64(F.lit("identifier"), id_type, id_value)


def end_of(as_of: date) -> Column:
    """Exclusive upper bound of business date D (UTC)."""
    return F.lit(as_of + timedelta(days=1)).cast("timestamp")


def _cap(settings: EntityGraphSettings) -> Column:
    """Customers an identifier of this row's id_type may have before it is a hub."""
    caps = F.create_map(
        *chain.from_iterable((F.lit(k), F.lit(v)) for k, v in settings.hub_max_customers.items())
    )
    return F.coalesce(caps[F.col("id_type")], F.lit(settings.hub_max_customers_default))


@dataclass(frozen=True)
class EntityGraph:
    """Links that survive hub pruning, the pruned hubs, and the CC input."""

    links: DataFrame  # customer_id, id_type, id_value, customers (shared identifiers and transfers)
    hubs: DataFrame  # id_type, id_value, customers, max_customers
    edges: DataFrame  # src, dst (Long vertex ids)
    vertices: DataFrame  # id (Long): customers with at least one link
    cached: tuple[DataFrame, ...] = ()  # what the four are built from; release() after use

    def release(self) -> None:
        """Drop the cached identifier and transfer links."""
        for frame in self.cached:
            frame.unpersist()


def identifier_links(
    identifiers: DataFrame, settings: EntityGraphSettings, as_of: date
) -> DataFrame:
    """(customer_id, id_type, id_value, customers, max_customers) for identifiers seen by end of D."""
    by_identifier = Window.partitionBy("id_type", "id_value")
    return (
        identifiers.where(F.col("id_type").isin(settings.id_types))
        .where(F.col("id_value").isNotNull() & (F.trim("id_value") != ""))
        .where(F.col("first_seen").isNull() | (F.col("first_seen") < end_of(as_of)))
        .select("customer_id", "id_type", "id_value")
        .distinct()
        .withColumn("customers", F.count("*").over(by_identifier))
        .withColumn("max_customers", _cap(settings))
    )


def transfer_links(
    transactions: DataFrame, settings: EntityGraphSettings, as_of: date
) -> DataFrame:
    """Internal-transfer links in both directions, shaped like identifier links.

    Each (customer, counterparty) pair with at least `internal_min_transfers` transfers between
    them (either direction) appears as the customer's link `internal_transfer:<cp>`: a one-off
    payment to a stranger is not a relationship, and random one-offs across a population join
    into one giant component. `customers` is the customer's number of linked counterparties.
    """
    start = as_of - timedelta(days=settings.internal_lookback_days - 1)
    pairs = (
        transactions.where(
            (F.col("rail") == "internal") & (F.col("counterparty_type") == "customer")
        )
        .where(F.col("event_date").between(F.lit(start), F.lit(as_of)))
        .where(
            F.col("counterparty_id").isNotNull()
            & (F.col("counterparty_id") != F.col("customer_id"))
        )
        .groupBy(
            F.least("customer_id", "counterparty_id").alias("customer_id"),
            F.greatest("customer_id", "counterparty_id").alias("other"),
        )
        # a transfer has a sender ("out") and a receiver ("in") leg; either may be missing
        .agg(
            F.greatest(
                F.count(F.when(F.col("direction") == "out", 1)),
                F.count(F.when(F.col("direction") == "in", 1)),
            ).alias("transfers")
        )
        .where(F.col("transfers") >= settings.internal_min_transfers)
        .select("customer_id", "other")
    )
    both = pairs.unionByName(
        pairs.select(F.col("other").alias("customer_id"), F.col("customer_id").alias("other"))
    )
    return (
        both.distinct()
        .withColumn("customers", F.count("*").over(Window.partitionBy("customer_id")))
        .select(
            "customer_id",
            F.lit(INTERNAL_TRANSFER).alias("id_type"),
            F.col("other").alias("id_value"),
            "customers",
            F.lit(settings.internal_max_counterparties).alias("max_customers"),
        )
    )


def _transfer_hubs(transfers: DataFrame) -> DataFrame:
    """Customers transferring with more counterparties than allowed (payroll, merchants)."""
    return (
        transfers.where(F.col("customers") > F.col("max_customers"))
        .select(
            F.lit(INTERNAL_TRANSFER).alias("id_type"),
            F.col("customer_id").alias("id_value"),
            "customers",
            "max_customers",
        )
        .distinct()
    )


def build_entity_graph(
    identifiers: DataFrame,
    transactions: DataFrame | None,
    settings: EntityGraphSettings,
    as_of: date,
) -> EntityGraph:
    """Shared identifiers and transfer links after hub pruning, and the bipartite CC input.

    The identifier and transfer links are cached when first computed: the components' input,
    the clusters, their evidence, the hubs and the ring rules all read them.
    """
    ids = identifier_links(identifiers, settings, as_of).persist()
    cached = [ids]
    hubs = (
        ids.where(F.col("customers") > F.col("max_customers"))
        .select("id_type", "id_value", "customers", "max_customers")
        .distinct()
    )
    shared = ids.where((F.col("customers") >= 2) & (F.col("customers") <= F.col("max_customers")))
    id_edges = shared.select(
        customer_vertex(F.col("customer_id")).alias("src"),
        identifier_vertex(F.col("id_type"), F.col("id_value")).alias("dst"),
    )
    links, edges = shared, id_edges
    if settings.internal_transfers and transactions is not None:
        transfers = transfer_links(transactions, settings, as_of).persist()
        cached.append(transfers)
        hub_customers = _transfer_hubs(transfers).select(F.col("id_value").alias("customer_id"))
        kept = transfers.join(hub_customers, "customer_id", "left_anti").join(
            hub_customers.withColumnRenamed("customer_id", "id_value"), "id_value", "left_anti"
        )
        hubs = hubs.unionByName(_transfer_hubs(transfers))
        links = links.unionByName(kept.select(*shared.columns))
        # one direction is enough for an undirected edge
        edges = edges.unionByName(
            kept.where(F.col("customer_id") < F.col("id_value")).select(
                customer_vertex(F.col("customer_id")).alias("src"),
                customer_vertex(F.col("id_value")).alias("dst"),
            )
        )
    vertices = links.select(customer_vertex(F.col("customer_id")).alias("id")).distinct()
    return EntityGraph(links=links, hubs=hubs, edges=edges, vertices=vertices, cached=tuple(cached))


def assign_clusters(graph: EntityGraph, labels: DataFrame, min_cluster_size: int) -> DataFrame:
    """(customer_id, cluster_id, cluster_size): cluster id = smallest customer vertex id inside."""
    customers = (
        graph.links.select("customer_id")
        .distinct()
        .withColumn("id", customer_vertex(F.col("customer_id")))
    )
    by_component = Window.partitionBy("component")
    return (
        customers.join(labels, "id")
        .withColumn("cluster_id", F.min("id").over(by_component))
        .withColumn("cluster_size", F.count("*").over(by_component).cast("int"))
        .where(F.col("cluster_size") >= min_cluster_size)
        .select("customer_id", "cluster_id", "cluster_size")
    )


def with_evidence(graph: EntityGraph, max_items: int) -> Transform:
    """Add `evidence`: the customer's shared identifiers and transfer links (sorted, bounded)."""

    def _add(clusters: DataFrame) -> DataFrame:
        evidence = graph.links.groupBy("customer_id").agg(
            F.slice(
                F.array_sort(F.collect_set(F.struct("id_type", "id_value"))), 1, max_items
            ).alias("evidence")
        )
        return clusters.join(evidence, "customer_id", "left")

    return _add


def _densest_window(partition: list[str], days: int) -> Column:
    """Members onboarded within `days` after each member's own onboarding (max taken later)."""
    seconds = F.unix_timestamp("onboarded_at")
    window = Window.partitionBy(*partition).orderBy(seconds).rangeBetween(0, days * 86400)
    return F.when(F.col("onboarded_at").isNotNull(), F.count("*").over(window)).otherwise(0)


def with_cluster_features(
    customers: DataFrame,
    transactions: DataFrame,
    exposure: DataFrame,
    settings: EntityGraphSettings,
    as_of: date,
) -> Transform:
    """Add distinct names/DOBs/nationalities, onboarded-close count, internal flows, exposed members."""

    def _add(clusters: DataFrame) -> DataFrame:
        people = customers.select(
            "customer_id",
            F.lower(F.trim("full_name")).alias("name_key"),
            "dob",
            "nationality",
            "onboarded_at",
        )
        members = clusters.select("customer_id", "cluster_id").join(people, "customer_id", "left")
        members = members.withColumn(
            "close", _densest_window(["cluster_id"], settings.onboarding_window_days)
        )
        kyc = members.groupBy("cluster_id").agg(
            F.count_distinct("name_key").cast("int").alias("distinct_names"),
            F.count_distinct("dob").cast("int").alias("distinct_dobs"),
            F.count_distinct("nationality").cast("int").alias("distinct_nationalities"),
            F.max("close").cast("int").alias("onboarded_close"),
        )
        start = as_of - timedelta(days=settings.flow_lookback_days - 1)
        where = clusters.select("customer_id", "cluster_id")
        flows = (
            transactions.where(
                (F.col("rail") == "internal") & (F.col("counterparty_type") == "customer")
            )
            .where(F.col("direction") == "out")
            .where(F.col("event_date").between(F.lit(start), F.lit(as_of)))
            .select("customer_id", "counterparty_id", "amount_usd")
            .join(where, "customer_id")
            .join(
                where.select(
                    F.col("customer_id").alias("counterparty_id"),
                    F.col("cluster_id").alias("cp_cluster"),
                ),
                "counterparty_id",
            )
            .where(F.col("cluster_id") == F.col("cp_cluster"))
            .groupBy("cluster_id")
            .agg(F.sum("amount_usd").alias("internal_flow_usd"))
        )
        exposed = (
            exposure.select("customer_id")
            .distinct()
            .join(where, "customer_id")
            .groupBy("cluster_id")
            .agg(F.count("*").cast("int").alias("members_with_exposure"))
        )
        return (
            clusters.join(kyc, "cluster_id", "left")
            .join(flows, "cluster_id", "left")
            .join(exposed, "cluster_id", "left")
            .withColumn(
                "internal_flow_usd", F.coalesce("internal_flow_usd", F.lit(0)).cast("decimal(24,6)")
            )
            .withColumn("members_with_exposure", F.coalesce("members_with_exposure", F.lit(0)))
        )

    return _add
