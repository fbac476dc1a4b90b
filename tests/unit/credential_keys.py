"""Spark settings that carry credentials: the chart schema and the app config both refuse them."""

CREDENTIAL_SPARK_KEYS = [
    "spark.hadoop.fs.s3a.secret.key",
    "spark.hadoop.fs.s3a.access.key",
    "spark.hadoop.fs.s3a.session.token",
    "spark.hadoop.fs.azure.account.key.acct.dfs.core.windows.net",
    "spark.hadoop.fs.azure.sas.token",
    "spark.ssl.keyStorePassword",
]
