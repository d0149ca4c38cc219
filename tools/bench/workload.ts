import { EventEnvelope, EventType } from '@gallery/contract';

/**
 * A deterministic generator of realistic activity: several accounts, thousands of collections
 * with Zipf-distributed popularity, a mix of photo and video downloads, favorites, share links
 * and stars, with file sizes typical of delivered galleries.
 */

export interface WorkloadOptions {
  seed: number;
  accounts: string[];
  collectionsPerAccount: number;
  photosPerCollection: number;
  clientsPerCollection: number;
  /** Events start at this instant and advance by about `spacingMs` each. */
  startMs: number;
  spacingMs: number;
}

export const DEFAULT_WORKLOAD: WorkloadOptions = {
  seed: 42,
  accounts: ['acct_demo', 'acct_other', 'acct_bench_a', 'acct_bench_b', 'acct_bench_c'],
  collectionsPerAccount: 800,
  photosPerCollection: 400,
  clientsPerCollection: 25,
  startMs: Date.UTC(2026, 0, 1),
  spacingMs: 250,
};

/** Park–Miller generator: small, fast and the same on every run. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = (seed % 2147483646) + 1;
  }

  next(): number {
    this.state = (this.state * 48271) % 2147483647;
    return (this.state - 1) / 2147483646;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }
}

/** Samples ranks 0..n-1 with probability proportional to 1 / (rank + 1). */
class Zipf {
  private readonly cumulative: number[];

  constructor(n: number) {
    let sum = 0;
    this.cumulative = Array.from({ length: n }, (_, rank) => (sum += 1 / (rank + 1)));
  }

  sample(random: Random): number {
    const target = random.next() * this.cumulative[this.cumulative.length - 1];
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function uuidFrom(random: Random): string {
  const hex = Array.from({ length: 32 }, () => random.int(16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An infinite, deterministic stream of event envelopes. */
export class Workload {
  private readonly random: Random;
  private readonly collectionRank: Zipf;
  private readonly photoRank: Zipf;
  private clock: number;
  private sequence = 0;

  constructor(private readonly options: WorkloadOptions = DEFAULT_WORKLOAD) {
    this.random = new Random(options.seed);
    this.collectionRank = new Zipf(options.collectionsPerAccount);
    this.photoRank = new Zipf(options.photosPerCollection);
    this.clock = options.startMs;
  }

  /** Collection id of an account's collection by popularity rank (0 is the busiest). */
  static collectionId(rank: number): string {
    return `col-${rank}`;
  }

  nextEnvelope(receivedAt = new Date().toISOString()): EventEnvelope {
    const random = this.random;
    this.clock += random.int(this.options.spacingMs * 2);
    this.sequence++;
    const accountId = this.options.accounts[random.int(this.options.accounts.length)];
    const collectionId = Workload.collectionId(this.collectionRank.sample(random));
    const photoNumber = this.photoRank.sample(random);
    const client = { id: `client-${random.int(this.options.clientsPerCollection)}` };
    const base = {
      event_id: uuidFrom(random),
      schema_version: 1,
      occurred_at: new Date(this.clock).toISOString(),
      collection_id: collectionId,
    };
    const photo = { id: `IMG_${photoNumber}`, file_name: `IMG_${photoNumber}.jpg`, format: 'jpeg', size_bytes: 2_000_000 + random.int(23_000_000) };
    const roll = random.next();
    let event: Record<string, unknown>;

    if (roll < 0.7) {
      const status = random.next() < 0.95 ? 'completed' : random.next() < 0.5 ? 'partial' : 'failed';
      const bytes = status === 'completed' ? photo.size_bytes : random.int(photo.size_bytes);
      event = { ...base, type: EventType.PhotoDownloaded, client, photo, status, bytes_transferred: bytes, duration_ms: 200 + random.int(8000), http_status: status === 'failed' ? 500 : 200 };
    } else if (roll < 0.78) {
      const size = 100_000_000 + random.int(3_900_000_000);
      const closing = random.next() < 0.5;
      event = {
        ...base,
        type: EventType.VideoDownload,
        download_id: `dl-${this.sequence >> 1}`,
        client,
        video: { id: `VID_${random.int(10)}`, file_name: 'film.mp4', format: 'mp4', codec: 'h264', size_bytes: size, duration_ms: 600_000 },
        status: closing ? (random.next() < 0.85 ? 'completed' : 'cancelled') : 'started',
        bytes_transferred: closing ? size : 0,
        duration_ms: closing ? 60_000 + random.int(600_000) : 0,
      };
    } else if (roll < 0.9) {
      const added = random.next() < 0.8;
      event = { ...base, type: added ? EventType.FavoriteAdded : EventType.FavoriteRemoved, client, media: { id: photo.id, kind: 'photo', file_name: photo.file_name } };
    } else if (roll < 0.96) {
      event = { ...base, type: EventType.ShareLinkAccessed, share_link_id: `sl-${random.int(20)}`, visitor: { id: `visitor-${random.int(500)}` }, media_id: photo.id };
    } else if (roll < 0.98) {
      event = {
        ...base,
        type: EventType.ShareLinkCreated,
        share_link: { id: `sl-${random.int(20)}`, url: 'https://gallery.example.com/s/x', media_ids: [photo.id], permissions: ['view'], expires_at: new Date(this.clock + 30 * 86_400_000).toISOString() },
      };
    } else {
      event = { ...base, type: random.next() < 0.8 ? EventType.PhotoStarred : EventType.PhotoUnstarred, photo: { id: photo.id, file_name: photo.file_name } };
    }
    return { account_id: accountId, received_at: receivedAt, event: event as unknown as EventEnvelope['event'] };
  }
}
