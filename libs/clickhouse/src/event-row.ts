import {
  ActivityEvent,
  ClientInfo,
  EventEnvelope,
  EventType,
  parseIsoInstant,
  ShareLinkSettings,
} from '@gallery/contract';
import { ClientIpPolicy, DEFAULT_CLIENT_IP_POLICY, protectClientIp } from './client-ip';

/** One row of the `events` table, in the JSON shape ClickHouse's JSONEachRow input expects. */
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
  client_id: string;
  client_email: string;
  client_name: string;
  client_ip: string;
  client_user_agent: string;
  media_id: string;
  media_kind: string;
  gallery_id: string;
  file_name: string;
  file_format: string;
  file_size_bytes: number | null;
  width: number | null;
  height: number | null;
  video_duration_ms: number | null;
  codec: string;
  status: string;
  download_id: string;
  bytes_transferred: number;
  duration_ms: number | null;
  http_status: number;
  share_link_id: string;
  share_url: string;
  share_media_ids: string[];
  share_permissions: string[];
  share_expires_at_ms: number | null;
  share_password_protected: number;
  reason: string;
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

/**
 * Returns a copy of the event whose client address follows the policy, so that neither the
 * `client_ip` column nor the stored `payload` contains more of it than the policy allows.
 */
function withProtectedIp(event: ActivityEvent, policy: ClientIpPolicy): ActivityEvent {
  const holders = event as Partial<Record<'client' | 'created_by' | 'visitor', ClientInfo>>;
  // Most events carry no address; they skip the copy, which matters at consumer batch rates.
  if (policy.mode === 'keep' || ![holders.client, holders.created_by, holders.visitor].some((client) => client?.ip_address !== undefined)) return event;
  const copy = structuredClone(event) as ActivityEvent & Partial<Record<'client' | 'created_by' | 'visitor', ClientInfo>>;
  for (const field of ['client', 'created_by', 'visitor'] as const) {
    const client = copy[field];
    if (client?.ip_address === undefined) continue;
    const stored = protectClientIp(client.ip_address, policy);
    if (stored === '') delete client.ip_address;
    else client.ip_address = stored;
  }
  return copy;
}

/** The last `received_at` parsed: the events of one Kafka message share it, so most calls reuse it. */
let lastReceived: { text: string; ms: number | null } = { text: '', ms: null };

function parseReceivedAt(text: string): number | null {
  if (text !== lastReceived.text) lastReceived = { text, ms: parseIsoInstant(text) };
  return lastReceived.ms;
}

function emptyRow(envelope: EventEnvelope, position: KafkaPosition): EventRow {
  const event = envelope.event;
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
    client_id: '',
    client_email: '',
    client_name: '',
    client_ip: '',
    client_user_agent: '',
    media_id: '',
    media_kind: '',
    gallery_id: '',
    file_name: '',
    file_format: '',
    file_size_bytes: null,
    width: null,
    height: null,
    video_duration_ms: null,
    codec: '',
    status: '',
    download_id: '',
    bytes_transferred: 0,
    duration_ms: null,
    http_status: 0,
    share_link_id: '',
    share_url: '',
    share_media_ids: [],
    share_permissions: [],
    share_expires_at_ms: null,
    share_password_protected: 0,
    reason: '',
    payload: JSON.stringify(event),
    kafka_topic: position.topic,
    kafka_partition: position.partition,
    kafka_offset: position.offset,
  };
}

function withClient(row: EventRow, client: ClientInfo | undefined): void {
  if (!client) return;
  row.client_id = client.id;
  row.client_email = client.email ?? '';
  row.client_name = client.name ?? '';
  row.client_ip = client.ip_address ?? '';
  row.client_user_agent = client.user_agent ?? '';
}

function withShareLink(row: EventRow, link: ShareLinkSettings): void {
  row.share_link_id = link.id;
  row.share_url = link.url;
  row.share_media_ids = link.media_ids;
  row.share_permissions = [...link.permissions].sort();
  row.share_expires_at_ms = link.expires_at ? parseIsoInstant(link.expires_at) : null;
  row.share_password_protected = link.password_protected ? 1 : 0;
}

/**
 * Flattens a validated event and its Kafka position into a row of the `events` table. The client
 * address is truncated, hashed, kept or dropped as `ipPolicy` sets, in the columns and the payload.
 */
export function toEventRow(envelope: EventEnvelope, position: KafkaPosition, ipPolicy: ClientIpPolicy = DEFAULT_CLIENT_IP_POLICY): EventRow {
  const event: ActivityEvent = withProtectedIp(envelope.event, ipPolicy);
  const row = emptyRow({ ...envelope, event }, position);

  switch (event.type) {
    case EventType.PhotoDownloaded:
      withClient(row, event.client);
      row.media_id = event.photo.id;
      row.media_kind = 'photo';
      row.gallery_id = event.photo.gallery_id ?? '';
      row.file_name = event.photo.file_name;
      row.file_format = event.photo.format;
      row.file_size_bytes = event.photo.size_bytes ?? null;
      row.width = event.photo.width ?? null;
      row.height = event.photo.height ?? null;
      row.status = event.status;
      row.bytes_transferred = event.bytes_transferred;
      row.duration_ms = event.duration_ms ?? null;
      row.http_status = event.http_status ?? 0;
      row.share_link_id = event.share_link_id ?? '';
      break;
    case EventType.VideoDownload:
      withClient(row, event.client);
      row.media_id = event.video.id;
      row.media_kind = 'video';
      row.gallery_id = event.video.gallery_id ?? '';
      row.file_name = event.video.file_name;
      row.file_format = event.video.format;
      row.file_size_bytes = event.video.size_bytes ?? null;
      row.width = event.video.width ?? null;
      row.height = event.video.height ?? null;
      row.video_duration_ms = event.video.duration_ms ?? null;
      row.codec = event.video.codec ?? '';
      row.download_id = event.download_id;
      row.status = event.status;
      row.bytes_transferred = event.bytes_transferred;
      row.duration_ms = event.duration_ms ?? null;
      row.http_status = event.http_status ?? 0;
      row.reason = event.failure_reason ?? '';
      row.share_link_id = event.share_link_id ?? '';
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
      row.reason = event.reason ?? '';
      break;
    case EventType.ShareLinkAccessed:
      withClient(row, event.visitor);
      row.share_link_id = event.share_link_id;
      row.media_id = event.media_id ?? '';
      break;
    case EventType.FavoriteAdded:
    case EventType.FavoriteRemoved:
      withClient(row, event.client);
      row.media_id = event.media.id;
      row.media_kind = event.media.kind;
      row.gallery_id = event.media.gallery_id ?? '';
      row.file_name = event.media.file_name ?? '';
      break;
    case EventType.PhotoStarred:
    case EventType.PhotoUnstarred:
      row.media_id = event.photo.id;
      row.media_kind = 'photo';
      row.gallery_id = event.photo.gallery_id ?? '';
      row.file_name = event.photo.file_name ?? '';
      break;
  }
  return row;
}
