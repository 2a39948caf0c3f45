// The status line while a magnet's metadata is awaited (www/lib/metadata-wait.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { magnetHash, magnetSources, waitingText } from '../../www/lib/metadata-wait.js';

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

test('the magnet names its torrent by hex or base32 info hash', () => {
  assert.equal(magnetHash(magnet), 'c9e15763f722f23e98a29decdfae341b98d53056');
  // The same hash in base32 (BEP 9 allows both).
  assert.equal(magnetHash('magnet:?xt=urn:btih:ZHQVOY7XELZD5GFCTXWN7LRUDOMNKMCW'), 'c9e15763f722f23e98a29decdfae341b98d53056');
  assert.equal(magnetHash('magnet:?dn=x'), '');
});

test("the server's search: peers found and trackers that sent some", () => {
  const search = { id: 'c9e1', peers_found: 3, trackers: 2, trackers_with_peers: 1, dht: true, seconds: 4 };
  assert.equal(waitingText(magnet, { dht_nodes: 0, trackers: true }, 4_000, search),
    "Asking peers for the film's description (4 s)… 3 peers found · 1 of 2 trackers sent peers · DHT: 0 nodes known · 1 peer address in the link.");
  const one = { ...search, peers_found: 1, trackers: 1, trackers_with_peers: 1 };
  assert.match(waitingText(magnet, null, 1_000, one), /1 peer found · 1 of 1 tracker sent peers · 1 peer address/);
  const bare = 'magnet:?xt=urn:btih:c9e15763f722f23e98a29decdfae341b98d53056';
  const none = { ...search, peers_found: 0, trackers: 0, trackers_with_peers: 0 };
  assert.match(waitingText(bare, { dht_nodes: 0, trackers: true }, 11_000, none), /^[^·]*0 peers found · DHT: 0 nodes known · no trackers in the link\. Nothing to find/);
});
