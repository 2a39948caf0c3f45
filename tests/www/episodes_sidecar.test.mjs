// Unit tests of the page's pure file logic (www/lib/episodes.js, www/lib/sidecar.js), in Node:
// `node --test tests/www/`. The page test (tests/e2e_library.rs) covers them in the browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { episodeOf, firstToPlay, groupFiles, nextEpisode, whyNotPlayable } from '../../www/lib/episodes.js';
import { languageOf, parseSubtitles, sidecarsFor } from '../../www/lib/sidecar.js';

const files = (...paths) => paths.map((path, index) => ({ path, index, length: 1000 + index, offset: 0 }));

test('episodes are read from SxxEyy, 1x02 and "Episode N"', () => {
  assert.deepEqual(episodeOf('Show.S01E02.1080p.mkv'), { season: 1, episode: 2 });
  assert.deepEqual(episodeOf('show s2e10.mkv'), { season: 2, episode: 10 });
  assert.deepEqual(episodeOf('Show 1x03.mkv'), { season: 1, episode: 3 });
  assert.deepEqual(episodeOf('Anime - Episode 12.mkv'), { season: 1, episode: 12 });
  assert.equal(episodeOf('Film.1080p.x264.mkv'), null);
  assert.equal(episodeOf('Film 1920x1080.mkv'), null, 'a resolution is not an episode');
});

test('a season pack is grouped and ordered as a person expects', () => {
  const f = files('P/Show.S01E10.mkv', 'P/Show.S01E02.mkv', 'P/Sample/show.sample.mkv', 'P/Extras/Making of.mkv',
    'P/Show.S01E02.srt', 'P/info.nfo', 'P/Show.S02E01.mkv');
  const groups = Object.fromEntries(groupFiles(f).map((g) => [g.title, g.files.map((x) => x.path)]));
  assert.deepEqual(groups.Episodes, ['P/Show.S01E02.mkv', 'P/Show.S01E10.mkv', 'P/Show.S02E01.mkv']);
  assert.deepEqual(groups.Samples, ['P/Sample/show.sample.mkv']);
  assert.deepEqual(groups.Extras, ['P/Extras/Making of.mkv']);
  assert.deepEqual(groups.Subtitles, ['P/Show.S01E02.srt']);
  assert.deepEqual(groups['Other files'], ['P/info.nfo']);
  assert.equal(firstToPlay(f).path, 'P/Show.S01E02.mkv');
  assert.equal(nextEpisode(f, f[1]).path, 'P/Show.S01E10.mkv');
  assert.equal(nextEpisode(f, f[6]), null, 'the last episode has no next');
  assert.equal(whyNotPlayable('a.mkv'), null);
  assert.match(whyNotPlayable('a.nfo'), /not a video/);
  assert.match(whyNotPlayable('a.ts'), /not a video this player reads/);
});

test('sidecar subtitles: same name, or a Subs folder', () => {
  const f = files('S/Show.S01E01.mkv', 'S/Show.S01E02.mkv', 'S/Show.S01E01.en.srt', 'S/Show.S01E02.srt',
    'S/Subs/Show.S01E01/French.ass', 'S/Subs/Show.S01E02/English.srt');
  assert.deepEqual(sidecarsFor(f, f[0]).map((x) => x.path), ['S/Show.S01E01.en.srt', 'S/Subs/Show.S01E01/French.ass']);
  assert.deepEqual(sidecarsFor(f, f[1]).map((x) => x.path), ['S/Show.S01E02.srt', 'S/Subs/Show.S01E02/English.srt']);
  const film = files('F/Film.mkv', 'F/Subs/English.srt', 'F/Subs/Spanish.srt');
  assert.deepEqual(sidecarsFor(film, film[0]).map((x) => x.path), ['F/Subs/English.srt', 'F/Subs/Spanish.srt']);
  assert.equal(languageOf('Show.S01E01.en.srt'), 'en');
  assert.equal(languageOf('Subs/French.ass'), 'fr');
});

test('SRT, WebVTT and ASS are turned into cues without styling', () => {
  assert.deepEqual(parseSubtitles('\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hi</i>\r\nthere\r\n\r\n2\r\n00:01:00,000 --> 00:01:01,000\r\nBye\r\n', 'srt'),
    [{ start: 1, end: 2.5, text: 'Hi\nthere' }, { start: 60, end: 61, text: 'Bye' }]);
  assert.deepEqual(parseSubtitles('WEBVTT\n\n00:01.000 --> 00:02.000 align:start\nOne\n', 'vtt'),
    [{ start: 1, end: 2, text: 'One' }]);
  const ass = '[Events]\nFormat: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n' +
    'Dialogue: 0,0:00:03.00,0:00:04.50,Default,,0,0,0,,{\\i1}Hello, you\\Nthere\n';
  assert.deepEqual(parseSubtitles(ass, 'ass'), [{ start: 3, end: 4.5, text: 'Hello, you\nthere' }]);
  assert.deepEqual(parseSubtitles('not subtitles', 'srt'), []);
});
