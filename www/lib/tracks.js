// @ts-check
// The page's track menus: audio (a player track each, "cannot play here" for those the
// browser refuses) and subtitles (the film's text tracks and sidecar files), the notices about
// tracks, and "c" to step through the subtitles. What they show is kept on `state` too
// (`audioTracks`, `textTracks`, `notices`), for tests.
import { sidecarTracks } from './sidecar.js';

/** @typedef {import('./engine.js').Player} Player */
/** @typedef {import('./engine.js').PlayerTrack} PlayerTrack */

/**
 * @typedef {object} TrackState
 * @property {Player | null} player
 * @property {object[]} audioTracks
 * @property {{ id: number, label: string, language: string, track: TextTrack }[]} textTracks
 * @property {string[]} notices
 */

/** @param {PlayerTrack} t */
function audioLabel(t) {
  const lang = t.language_name || t.language || 'Unknown language';
  const name = t.name && t.name !== t.language_name ? ` – ${t.name}` : '';
  const why = t.playable ? '' : ' – cannot play here';
  return `${lang}${name} (${t.codec})${why}`;
}

/**
 * @param {number | string} value
 * @param {string} text
 * @param {boolean} [selected]
 * @param {boolean} [disabled]
 */
function option(value, text, selected, disabled) {
  const o = document.createElement('option');
  o.value = String(value);
  o.textContent = text;
  o.selected = !!selected;
  o.disabled = !!disabled;
  return o;
}

/**
 * Wires the menus found by id in the page (`tracks`, `audio-box`, `audio-track`,
 * `subtitle-box`, `subtitle-track`, `notice`).
 * @param {TrackState} state
 */
export function setUpTracks(state) {
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const noticeEl = $('notice');
  const tracksBox = $('tracks');
  const audioBox = $('audio-box');
  const audioSelect = /** @type {HTMLSelectElement} */ ($('audio-track'));
  const subtitleBox = $('subtitle-box');
  const subtitleSelect = /** @type {HTMLSelectElement} */ ($('subtitle-track'));
  // What the menus were last built from: they are rebuilt only when it changes.
  let tracksKey = '';

  function reset() {
    tracksKey = '';
    state.audioTracks = [];
    state.textTracks = [];
    state.notices = [];
    noticeEl.hidden = true;
    noticeEl.textContent = '';
    tracksBox.hidden = true;
    audioSelect.replaceChildren();
    subtitleSelect.replaceChildren();
  }

  /** @param {string[]} notices */
  function showNotices(notices) {
    const list = Array.from(notices || []);
    if (list.join('\n') === state.notices.join('\n')) return;
    state.notices = list;
    noticeEl.textContent = list.join(' ');
    noticeEl.hidden = list.length === 0;
  }

  // Rebuilds the menus when the player's tracks or choice change (`force`: a sidecar track
  // came or went, which the player does not know of).
  /** @param {Player} player @param {boolean} [force] */
  function refresh(player, force = false) {
    if (force) tracksKey = '';
    let tracks;
    try { tracks = Array.from(player.tracks()); } catch (_) { return; }
    const key = JSON.stringify([tracks.map((t) => [t.id, t.selected, t.playable, !!t.text_track]),
      sidecarTracks().map((t) => t.id)]);
    if (key === tracksKey) return;
    tracksKey = key;
    const audio = tracks.filter((t) => t.kind === 'audio');
    const subs = tracks.filter((t) => t.kind === 'subtitle' && t.text_track);
    state.audioTracks = audio.map((t) => ({
      id: t.id, label: audioLabel(t), language: t.language, codec: t.codec,
      playable: t.playable, selected: t.selected, why_not: t.why_not,
    }));
    state.textTracks = [...subs.map((t) => ({
      id: t.id, label: t.text_track?.label || '', language: t.text_track?.language || '',
      track: /** @type {TextTrack} */ (t.text_track),
    })), ...sidecarTracks()];
    audioSelect.replaceChildren(...audio.map((t) => option(t.id, audioLabel(t), t.selected, !t.playable)));
    if (!audio.some((t) => t.selected) && audio.length) {
      audioSelect.prepend(option('', 'No sound', true, true));
    }
    audioBox.hidden = audio.length < 2;
    const showing = state.textTracks.find((t) => t.track.mode === 'showing');
    subtitleSelect.replaceChildren(
      option('', 'Off', !showing),
      ...state.textTracks.map((t) => option(t.id, t.label, showing && showing.id === t.id)),
    );
    subtitleBox.hidden = state.textTracks.length === 0;
    tracksBox.hidden = audioBox.hidden && subtitleBox.hidden;
  }

  /** @param {number | string} id */
  function selectAudio(id) {
    if (!state.player) return;
    state.player.select_audio(Number(id));
  }

  /** @param {string} id The menu's value: a track id, or '' for none. */
  function showSubtitles(id) {
    for (const t of state.textTracks) {
      // 'hidden' keeps cues loading for a later switch; 'showing' draws them.
      t.track.mode = String(t.id) === id ? 'showing' : 'hidden';
    }
    subtitleSelect.value = id;
  }

  // "c": the next subtitle track, then none.
  function toggleCaptions() {
    const ids = ['', ...state.textTracks.map((t) => String(t.id))];
    const now = state.textTracks.find((t) => t.track.mode === 'showing');
    showSubtitles(ids[(ids.indexOf(now ? String(now.id) : '') + 1) % ids.length]);
  }

  audioSelect.addEventListener('change', () => {
    if (audioSelect.value !== '') selectAudio(audioSelect.value);
  });
  subtitleSelect.addEventListener('change', () => showSubtitles(subtitleSelect.value));

  return { reset, showNotices, refresh, selectAudio, showSubtitles, toggleCaptions };
}
