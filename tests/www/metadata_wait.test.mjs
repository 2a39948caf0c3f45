// The status line while a magnet's metadata is awaited (www/lib/metadata-wait.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { magnetSources, waitingText } from '../../www/lib/metadata-wait.js';

const magnet = 'magnet:?xt=urn:btih:c9e15763f722f23e98a29decdfae341b98d53056&dn=Film' +
  '&tr=udp%3A%2F%2Fa%3A1&tr=http%3A%2F%2Fb%2Fannounce&x.pe=192.0.2.1%3A6881';

test('what a magnet carries to find peers with', () => {
  assert.deepEqual(magnetSources(magnet), { trackers: 2, peers: 1 });
  assert.deepEqual(magnetSources('magnet:?xt=urn:btih:ab&tr.1=x&tr.2=y'), { trackers: 2, peers: 0 });
  assert.deepEqual(magnetSources('magnet:?xt=urn:btih:ab'), { trackers: 0, peers: 0 });
});

test('the line names the DHT, the trackers, the peer hints and the time waited', () => {
  assert.equal(waitingText(magnet, null, 0),
    "Asking peers for the film's description… 2 trackers in the link · 1 peer address in the link.");
  assert.equal(waitingText(magnet, { dht_nodes: 212, trackers: true }, 12_400),
    "Asking peers for the film's description (12 s)… DHT: 212 nodes known · 2 trackers in the link · 1 peer address in the link.");
  assert.equal(waitingText(magnet, { dht_nodes: null, trackers: false }, 3000),
    "Asking peers for the film's description (3 s)… DHT off on this server · trackers off on this server · 1 peer address in the link.");
});

test('after a while with nothing to find peers with, it says so', () => {
  const bare = 'magnet:?xt=urn:btih:c9e15763f722f23e98a29decdfae341b98d53056';
  assert.match(waitingText(bare, { dht_nodes: 0, trackers: true }, 11_000), /Nothing to find peers with yet/);
  assert.doesNotMatch(waitingText(bare, { dht_nodes: 0, trackers: true }, 5_000), /Nothing to find/);
  assert.doesNotMatch(waitingText(bare, { dht_nodes: 40, trackers: true }, 30_000), /Nothing to find/);
});
