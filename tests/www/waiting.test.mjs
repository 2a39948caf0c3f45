// Unit test of www/lib/waiting.js: `node --test tests/www/`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { speedVersusFilm } from '../../www/lib/waiting.js';

test('the download speed is compared with the film\'s rate, plainly', () => {
  // A 100 MiB film of 100 s needs 1 MiB/s.
  const film = 100 * 1024 * 1024;
  assert.equal(speedVersusFilm(2 * 1024 * 1024, film, 100), 'downloading at 2.0 MB/s, faster than the film needs (1.0 MB/s)');
  assert.match(speedVersusFilm(512 * 1024, film, 100), /^downloading at 512\.0 KB\/s, slower than the film needs \(1\.0 MB\/s\): the swarm is too slow to keep up/);
  assert.equal(speedVersusFilm(1000, film, NaN), '', 'no duration yet: nothing to compare');
});
