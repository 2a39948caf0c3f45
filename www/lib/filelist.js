// @ts-check
// The file picker of a torrent: groups from lib/episodes.js, a radio per playable file, and
// the files the page cannot play greyed out with the reason in plain words.
import { baseName, groupFiles, whyNotPlayable } from './episodes.js';
import { formatBytes } from './format.js';

/** @typedef {import('./files.js').TorrentFile} TorrentFile */

/**
 * Fills `list` (a <ul>) with the torrent's files in groups; `pick(file)` when one is chosen.
 * @param {HTMLElement} list
 * @param {TorrentFile[]} files
 * @param {TorrentFile} selected
 * @param {(file: TorrentFile) => void} pick
 */
export function renderFileGroups(list, files, selected, pick) {
  list.replaceChildren();
  const groups = groupFiles(files);
  for (const g of groups) {
    const li = document.createElement('li');
    li.className = 'group';
    li.dataset.group = g.title;
    const title = document.createElement('span');
    title.className = 'group-title';
    title.textContent = g.title;
    const ul = document.createElement('ul');
    for (const f of g.files) {
      const why = whyNotPlayable(f.path);
      const item = document.createElement('li');
      item.dataset.index = String(f.index);
      const label = document.createElement('label');
      const radio = document.createElement('input');
      radio.type = 'radio';
      radio.name = 'file';
      radio.value = String(f.index);
      radio.checked = f.index === selected.index;
      radio.disabled = !!why;
      radio.addEventListener('change', () => { if (radio.checked) pick(f); });
      const name = document.createElement('span');
      name.className = 'file-name';
      name.textContent = baseName(f.path);
      name.title = f.path;
      const size = document.createElement('span');
      size.className = 'size';
      size.textContent = formatBytes(f.length);
      label.append(radio, name, size);
      item.append(label);
      if (why) {
        item.classList.add('not-playable');
        const w = document.createElement('span');
        w.className = 'why-not';
        w.textContent = why;
        item.append(w);
      }
      ul.append(item);
    }
    li.append(title, ul);
    list.append(li);
  }
}
