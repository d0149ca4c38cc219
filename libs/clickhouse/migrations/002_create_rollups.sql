-- Download counts per 15 minutes, for timelines and totals without scanning raw events. Fifteen
-- minutes divides every UTC offset in use (+05:30, +05:45, +12:45 included), so hour, day, week and
-- month buckets in any time zone are unions of these buckets. Only download rows are kept: photo
-- downloads, and video downloads once they have a closing status.
CREATE TABLE IF NOT EXISTS downloads_15m
(
    account_id String,
    collection_id String,
    bucket DateTime('UTC'),
    media_kind String,
    status String,
    downloads AggregateFunction(count),
    bytes AggregateFunction(sum, UInt64),
    clients AggregateFunction(uniqExact, String),
    media AggregateFunction(uniqExact, String)
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (account_id, collection_id, bucket, media_kind, status);

CREATE MATERIALIZED VIEW IF NOT EXISTS downloads_15m_mv TO downloads_15m AS
SELECT
    account_id,
    collection_id,
    toStartOfFifteenMinutes(occurred_at) AS bucket,
    media_kind,
    status,
    countState() AS downloads,
    sumState(bytes_transferred) AS bytes,
    uniqExactState(client_id) AS clients,
    uniqExactState(media_id) AS media
FROM events
WHERE type = 'photo.downloaded' OR (type = 'video.download' AND status != 'started')
GROUP BY account_id, collection_id, bucket, media_kind, status;

-- Star and unstar events of each account, sorted by photo, so the starred-photos endpoint reads one
-- account's stars without scanning its downloads.
CREATE TABLE IF NOT EXISTS star_events
(
    account_id String,
    collection_id String,
    media_id String,
    gallery_id String,
    file_name String,
    type String,
    occurred_at_ms UInt64,
    event_id String
)
ENGINE = MergeTree
ORDER BY (account_id, collection_id, media_id, occurred_at_ms, event_id);

CREATE MATERIALIZED VIEW IF NOT EXISTS star_events_mv TO star_events AS
SELECT account_id, collection_id, media_id, gallery_id, file_name, type, occurred_at_ms, event_id
FROM events
WHERE type IN ('photo.starred', 'photo.unstarred');

-- Per Kafka partition, a time up to which every accepted event is stored, written by the consumer.
-- Read it with max(watermark_ms) ... GROUP BY: rows are only folded by background merges.
CREATE TABLE IF NOT EXISTS ingest_watermarks
(
    kafka_topic String,
    kafka_partition UInt32,
    watermark_ms UInt64
)
ENGINE = ReplacingMergeTree(watermark_ms)
ORDER BY (kafka_topic, kafka_partition);
