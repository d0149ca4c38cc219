import {
  ActivityEvent,
  ClientInfo,
  EventEnvelope,
  EventType,
  parseIsoInstant,
  ShareLinkSettings,
} from '@gallery/contract';
import { ClientIpPolicy, DEFAULT_CLIENT_IP_POLICY, protectClientIp } from './client-ip';

/**
 * One row of the `events` table, in the JSON shape ClickHouse's JSONEachRow input expects. A
 * column whose value is its type's default ('' for strings, 0, NULL, an empty array) is left
 * undefined: `JSON.stringify` omits it, and ClickHouse fills it in. Most events use under half of
 * the columns, so the line is about half as long, for the consumer to write and for ClickHouse to
 * parse.
 */
export interface EventRow {
  account_id: string;
  collection_id: string;
  event_id: string;
  type: string;
  schema_version: number;
  occurred_at: number;
  occurred_at_ms: number;
  received_at: number;
  received_at_ms: number;
  client_id?: string;
  client_email?: string;
  client_name?: string;
  client_ip?: string;
  client_user_agent?: string;
  media_id?: string;
  media_kind?: string;
  gallery_id?: string;
  file_name?: string;
  file_format?: string;
  file_size_bytes?: number;
  width?: number;
  height?: number;
  video_duration_ms?: number;
  codec?: string;
  status?: string;
  download_id?: string;
  bytes_transferred?: number;
  duration_ms?: number;
  http_status?: number;
  share_link_id?: string;
  share_url?: string;
  share_media_ids?: string[];
  share_permissions?: string[];
  share_expires_at_ms?: number;
  share_password_protected?: number;
  reason?: string;
  payload: string;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: number;
}

export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: number;
}

const CLIENT_FIELDS = ['client', 'created_by', 'visitor'] as const;

/**
 * Returns the event with its client address as the policy allows, so that neither the `client_ip`
 * column nor the stored `payload` contains more of it. An event whose address changes is copied
 * (the event and its client object only); the posted event is left as it is.
 */
function withProtectedIp(event: ActivityEvent, policy: ClientIpPolicy): ActivityEvent {
  if (policy.mode === 'keep') return event;
  let copy: Record<string, unknown> | undefined;
  for (const field of CLIENT_FIELDS) {
    const client = (event as Partial<Record<(typeof CLIENT_FIELDS)[number], ClientInfo>>)[field];
    if (client?.ip_address === undefined) continue;
    const stored = protectClientIp(client.ip_address, policy);
    if (stored === client.ip_address) continue;
    copy ??= { ...event };
    const { ip_address: _dropped, ...rest } = client;
    copy[field] = stored === '' ? rest : { ...rest, ip_address: stored };
  }
  return (copy ?? event) as ActivityEvent;
}

/** The last `received_at` parsed: the events of one Kafka message share it, so most calls reuse it. */
let lastReceived: { text: string; ms: number | null } = { text: '', ms: null };

function parseReceivedAt(text: string): number | null {
  if (text !== lastReceived.text) lastReceived = { text, ms: parseIsoInstant(text) };
  return lastReceived.ms;
}

function emptyRow(envelope: EventEnvelope, event: ActivityEvent, position: KafkaPosition): EventRow {
  const occurredMs = parseIsoInstant(event.occurred_at);
  const receivedMs = parseReceivedAt(envelope.received_at);
  if (occurredMs === null) throw new Error(`occurred_at ${event.occurred_at} is not an ISO-8601 instant`);
  if (receivedMs === null) throw new Error(`received_at ${envelope.received_at} is not an ISO-8601 instant`);

  return {
    account_id: envelope.account_id,
    collection_id: event.collection_id,
    event_id: event.event_id.toLowerCase(),
    type: event.type,
    schema_version: event.schema_version,
    // DateTime columns take Unix seconds in JSONEachRow on every ClickHouse version.
    occurred_at: Math.floor(occurredMs / 1000),
    occurred_at_ms: occurredMs,
    received_at: Math.floor(receivedMs / 1000),
    received_at_ms: receivedMs,
    // Every column is named, so that all rows share one shape, which keeps V8's JSON.stringify fast.
    client_id: undefined,
    client_email: undefined,
    client_name: undefined,
    client_ip: undefined,
    client_user_agent: undefined,
    media_id: undefined,
    media_kind: undefined,
    gallery_id: undefined,
    file_name: undefined,
    file_format: undefined,
    file_size_bytes: undefined,
    width: undefined,
    height: undefined,
    video_duration_ms: undefined,
    codec: undefined,
    status: undefined,
    download_id: undefined,
    bytes_transferred: undefined,
    duration_ms: undefined,
    http_status: undefined,
    share_link_id: undefined,
    share_url: undefined,
    share_media_ids: undefined,
    share_permissions: undefined,
    share_expires_at_ms: undefined,
    share_password_protected: undefined,
    reason: undefined,
    payload: JSON.stringify(event),
    kafka_topic: position.topic,
    kafka_partition: position.partition,
    kafka_offset: position.offset,
  };
}

function withClient(row: EventRow, client: ClientInfo | undefined): void {
  if (!client) return;
  row.client_id = client.id;
  row.client_email = client.email ?? undefined;
  row.client_name = client.name ?? undefined;
  row.client_ip = client.ip_address ?? undefined;
  row.client_user_agent = client.user_agent ?? undefined;
}

function withShareLink(row: EventRow, link: ShareLinkSettings): void {
  row.share_link_id = link.id;
  row.share_url = link.url;
  row.share_media_ids = link.media_ids;
  row.share_permissions = [...link.permissions].sort();
  row.share_expires_at_ms = link.expires_at ? (parseIsoInstant(link.expires_at) ?? undefined) : undefined;
  row.share_password_protected = link.password_protected ? 1 : undefined;
}

/**
 * Flattens a validated event and its Kafka position into a row of the `events` table. The client
 * address is truncated, hashed, kept or dropped as `ipPolicy` sets, in the columns and the payload.
 */
export function toEventRow(envelope: EventEnvelope, position: KafkaPosition, ipPolicy: ClientIpPolicy = DEFAULT_CLIENT_IP_POLICY): EventRow {
  const event: ActivityEvent = withProtectedIp(envelope.event, ipPolicy);
  const row = emptyRow(envelope, event, position);

  switch (event.type) {
    case EventType.PhotoDownloaded:
      withClient(row, event.client);
      row.media_id = event.photo.id;
      row.media_kind = 'photo';
      row.gallery_id = event.photo.gallery_id ?? undefined;
      row.file_name = event.photo.file_name;
      row.file_format = event.photo.format;
      row.file_size_bytes = event.photo.size_bytes ?? undefined;
      row.width = event.photo.width ?? undefined;
      row.height = event.photo.height ?? undefined;
      row.status = event.status;
      row.bytes_transferred = event.bytes_transferred;
      row.duration_ms = event.duration_ms ?? undefined;
      row.http_status = event.http_status ?? undefined;
      row.share_link_id = event.share_link_id ?? undefined;
      break;
    case EventType.VideoDownload:
      withClient(row, event.client);
      row.media_id = event.video.id;
      row.media_kind = 'video';
      row.gallery_id = event.video.gallery_id ?? undefined;
      row.file_name = event.video.file_name;
      row.file_format = event.video.format;
      row.file_size_bytes = event.video.size_bytes ?? undefined;
      row.width = event.video.width ?? undefined;
      row.height = event.video.height ?? undefined;
      row.video_duration_ms = event.video.duration_ms ?? undefined;
      row.codec = event.video.codec ?? undefined;
      row.download_id = event.download_id;
      row.status = event.status;
      row.bytes_transferred = event.bytes_transferred;
      row.duration_ms = event.duration_ms ?? undefined;
      row.http_status = event.http_status ?? undefined;
      row.reason = event.failure_reason ?? undefined;
      row.share_link_id = event.share_link_id ?? undefined;
      break;
    case EventType.ShareLinkCreated:
      withClient(row, event.created_by);
      withShareLink(row, event.share_link);
      break;
    case EventType.ShareLinkUpdated:
      withShareLink(row, event.share_link);
      break;
    case EventType.ShareLinkRevoked:
      row.share_link_id = event.share_link_id;
      row.reason = event.reason ?? undefined;
      break;
    case EventType.ShareLinkAccessed:
      withClient(row, event.visitor);
      row.share_link_id = event.share_link_id;
      row.media_id = event.media_id ?? undefined;
      break;
    case EventType.FavoriteAdded:
    case EventType.FavoriteRemoved:
      withClient(row, event.client);
      row.media_id = event.media.id;
      row.media_kind = event.media.kind;
      row.gallery_id = event.media.gallery_id ?? undefined;
      row.file_name = event.media.file_name ?? undefined;
      break;
    case EventType.PhotoStarred:
    case EventType.PhotoUnstarred:
      row.media_id = event.photo.id;
      row.media_kind = 'photo';
      row.gallery_id = event.photo.gallery_id ?? undefined;
      row.file_name = event.photo.file_name ?? undefined;
      break;
  }
  return row;
}
