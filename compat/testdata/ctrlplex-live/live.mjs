// Helpers of the live suite: a player that reports playback as Plex players do, and a
// collector of notifications with a deadline. Not a test file itself.
import { Movie, PlexServer } from '@ctrl/plex';
import { server as seeded, tokenOf } from '../env.mjs';

/** A connected @ctrl/plex PlexServer for alice-nas as username. */
export async function connect(username) {
  const srv = new PlexServer(seeded('alice-nas').url, tokenOf(username));
  await srv.connect();
  return srv;
}

/**
 * The first n movies of section 1 ("Movies") with a duration, built by @ctrl/plex's Movie class
 * from the section listing, as its Section.all() builds them.
 */
export async function movies(srv, n = 1) {
  const key = '/library/sections/1/all';
  const data = await srv.query(key);
  const all = (data.MediaContainer.Metadata ?? []).map((m) => new Movie(srv, m, key));
  const playable = all.filter((m) => m.duration > 0);
  if (playable.length < n) throw new Error(`only ${playable.length} playable movies`);
  return playable.slice(0, n);
}

let players = 0;

/**
 * A player: every report is a /:/timeline request with the X-Plex-* headers a Plex player sends
 * (the PMS log in reference §2.1). GET by default, as Plex for Windows and python-plexapi do;
 * method 'POST' as Plezy does.
 */
export class Player {
  constructor(username, { name = 'Living Room', product = 'Plex for Kodi', method = 'GET' } = {}) {
    players += 1;
    this.token = tokenOf(username);
    this.baseurl = seeded('alice-nas').url;
    // 24 lower-case alphanumerics, the shape of the client ids in the captures.
    this.clientIdentifier = `compatlive${String(players).padStart(2, '0')}${Date.now().toString(36)}`.slice(0, 24).padEnd(24, 'x');
    this.name = name;
    this.product = product;
    this.method = method;
  }

  headers() {
    return {
      'X-Plex-Token': this.token,
      'X-Plex-Client-Identifier': this.clientIdentifier,
      'X-Plex-Product': this.product,
      'X-Plex-Version': '3.1.4',
      'X-Plex-Platform': 'Linux',
      'X-Plex-Platform-Version': '6.1',
      'X-Plex-Device': 'PC',
      'X-Plex-Device-Name': this.name,
      'X-Plex-Provides': 'player',
      Accept: 'application/json',
    };
  }

  /** Reports state at time (ms) of item; answers the parsed MediaContainer. */
  async report(item, state, time) {
    const q = new URLSearchParams({
      ratingKey: String(item.ratingKey),
      key: `/library/metadata/${item.ratingKey}`,
      state,
      time: String(time),
      duration: String(item.duration),
      playQueueItemID: '0',
      hasMDE: '1',
    });
    const res = await fetch(`${this.baseurl}/:/timeline?${q}`, { method: this.method, headers: this.headers() });
    if (res.status !== 200) throw new Error(`/:/timeline ${state} ${time}: HTTP ${res.status}: ${await res.text()}`);
    return (await res.json()).MediaContainer;
  }

  /** Asks for a transcode of item, as a player that cannot direct play it does. */
  async refuseDirectPlay(item) {
    const q = new URLSearchParams({ path: `/library/metadata/${item.ratingKey}`, directPlay: '0', directStream: '1', protocol: 'hls' });
    const res = await fetch(`${this.baseurl}/video/:/transcode/universal/decision?${q}`, { headers: this.headers() });
    if (res.status !== 200) throw new Error(`transcode decision: HTTP ${res.status}`);
    return (await res.json()).MediaContainer;
  }
}

/** Collects values and lets a test wait, with a deadline, until some arrived. */
export class Collector {
  constructor() {
    this.items = [];
    this.waiters = [];
  }

  push(v) {
    this.items.push(v);
    for (const w of [...this.waiters]) w();
  }

  /** Resolves with the items once pred(items) holds; rejects after ms naming what it saw. */
  until(pred, ms = 5000, what = 'items') {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (pred(this.items)) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(this.items);
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(this.items).slice(0, 2000)}`));
      }, ms);
      this.waiters.push(check);
      check();
    });
  }
}

/** Waits ms milliseconds (to show that nothing more arrives). */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
