-- Raw activity events, one row per accepted event. The consumer writes each event once: it skips
-- Kafka offsets it already stored and event ids already present, so plain MergeTree holds no
-- duplicates. Instants are DateTime (seconds, UTC) plus epoch milliseconds, because ClickHouse
-- 18.16 has no DateTime64.
CREATE TABLE IF NOT EXISTS events
(
    account_id String,
    collection_id String,
    event_id String,
    type String,
    schema_version UInt16,
    occurred_at DateTime('UTC'),
    occurred_at_ms UInt64,
    received_at DateTime('UTC'),
    received_at_ms UInt64,
    client_id String,
    client_email String,
    client_name String,
    client_ip String,
    client_user_agent String,
    media_id String,
    media_kind String,
    gallery_id String,
    file_name String,
    file_format String,
    file_size_bytes Nullable(UInt64),
    width Nullable(UInt32),
    height Nullable(UInt32),
    video_duration_ms Nullable(UInt64),
    codec String,
    status String,
    download_id String,
    bytes_transferred UInt64,
    duration_ms Nullable(UInt64),
    http_status UInt16,
    share_link_id String,
    share_url String,
    share_media_ids Array(String),
    share_permissions Array(String),
    share_expires_at_ms Nullable(UInt64),
    share_password_protected UInt8,
    reason String,
    payload String,
    kafka_topic String,
    kafka_partition UInt32,
    kafka_offset UInt64,
    inserted_at DateTime('UTC') DEFAULT now()
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(occurred_at)
ORDER BY (account_id, collection_id, occurred_at, event_id);

-- Highest Kafka offset stored per topic partition. The consumer resumes after it when partitions
-- are assigned, so a batch that was inserted but whose offset commit was lost is not written twice.
-- Read it with max(max_offset) ... GROUP BY: rows are only folded by background merges.
CREATE TABLE IF NOT EXISTS kafka_progress
(
    kafka_topic String,
    kafka_partition UInt32,
    max_offset UInt64
)
ENGINE = ReplacingMergeTree(max_offset)
ORDER BY (kafka_topic, kafka_partition);

CREATE MATERIALIZED VIEW IF NOT EXISTS kafka_progress_mv TO kafka_progress AS
SELECT kafka_topic, kafka_partition, max(kafka_offset) AS max_offset
FROM events
GROUP BY kafka_topic, kafka_partition;
