-- The identity of every stored event, sorted by a 64-bit hash of (account, collection, event id).
-- The consumer looks up a whole batch here to drop events already stored under the same id (a
-- producer that retries a request posts its events again). A lookup reads about one 256-row
-- granule per event, however large `events` grows. The hash only locates rows: they carry the ids,
-- and the consumer compares those. Account and collection ids cannot contain a NUL byte, so the
-- joined text is unambiguous.
CREATE TABLE IF NOT EXISTS event_keys
(
    event_key UInt64,
    account_id String,
    collection_id String,
    event_id String
)
ENGINE = MergeTree
ORDER BY event_key
SETTINGS index_granularity = 256;

CREATE MATERIALIZED VIEW IF NOT EXISTS event_keys_mv TO event_keys AS
SELECT
    sipHash64(concat(account_id, '\0', collection_id, '\0', event_id)) AS event_key,
    account_id,
    collection_id,
    event_id
FROM events;

-- Events stored before this table existed. Running it twice only adds repeated keys, which the
-- lookup tolerates.
INSERT INTO event_keys
SELECT sipHash64(concat(account_id, '\0', collection_id, '\0', event_id)), account_id, collection_id, event_id
FROM events;
