// Unit test of the library's state line (www/lib/library.js): `node --test tests/www/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeState, magnetOf } from '../../www/lib/library.js';

test('a torrent\'s state in plain words', () => {
  assert.equal(describeState({ state: 'error', error: 'The disk is full: free some space, then resume.' }, 10),
    'Stopped: The disk is full: free some space, then resume.');
  assert.equal(describeState({ state: 'initializing' }, 10), 'Checking the data already on disk');
  assert.equal(describeState({ state: 'live', finished: true, peers: 2 }, 10), 'Seeding to 2 peers');
  assert.equal(describeState({ state: 'live', finished: false, peers: 1, downloaded_bytes: 25 }, 100), 'Downloading (25%) from 1 peer');
  assert.equal(describeState({ state: 'live', finished: false, peers: 0, downloaded_bytes: 0 }, 100), 'Downloading (0%): no peer connected yet');
  assert.equal(magnetOf('ab'.repeat(20), 'A B'), `magnet:?xt=urn:btih:${'ab'.repeat(20)}&dn=A%20B`);
});
