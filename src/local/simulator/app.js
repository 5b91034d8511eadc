// The simulator page: a LINE-like chat with Akari for one or more simulated users.
//
// What the user does goes to /local/sim/users/:id/… and comes back to Akari as a signed webhook;
// what Akari sends arrives on the server-sent event stream /local/sim/events. Nothing here polls.
// All text from the bot or the user is put in with textContent (see flex.js), never as HTML.
import { renderMessage, safeWebUrl } from './flex.js';

const USERS_KEY = 'akari-sim:users';
const CURRENT_KEY = 'akari-sim:current';
const USER_ID = /^U[0-9a-f]{32}$/;

const TIME = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const DAY = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', month: 'long', day: 'numeric', weekday: 'short' });
const DAY_KEY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit' });

const $ = (id) => {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from index.html`);
  return node;
};

const ui = {
  chat: $('chat'),
  quick: $('quick-replies'),
  stage: $('stage'),
  select: $('user-select'),
  addUser: $('add-user'),
  resetUser: $('reset-user'),
  clock: $('clock'),
  nextBusiness: $('next-business'),
  statePanel: $('state-panel'),
  stateList: $('state-list'),
  banner: $('banner'),
  bannerText: $('banner-text'),
  bannerClose: $('banner-close'),
  composer: $('composer'),
  text: $('text'),
  richmenu: $('richmenu'),
  richmenuImage: $('richmenu-image'),
  richmenuFrame: $('richmenu-frame'),
  richmenuAreas: $('richmenu-areas'),
  richmenuNote: $('richmenu-note'),
  chatbar: $('chatbar'),
  chatbarText: $('chatbar-text'),
  chatbarArrow: $('chatbar-arrow'),
  toast: $('toast'),
};

const sim = {
  users: [],
  userId: null,
  source: null,
  lastDayKey: null,
  /** 'bot' while Akari's messages follow each other: only the first shows her avatar and name. */
  lastSender: null,
  clock: null,
  menuKey: null,
  menuOpen: true,
};

// ---------- small helpers ----------

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function api(method, path, body) {
  const init = { method, headers: {} };
  // Every POST carries JSON: the server refuses anything else (see simulator-routes.ts).
  if (method !== 'GET') {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body ?? {});
  }
  const res = await fetch(path, init);
  let data = null;
  try {
    data = await res.json();
  } catch {
    // Some answers have no JSON body.
  }
  if (!res.ok) {
    const message = data && typeof data.message === 'string' ? data.message : `${res.status} ${res.statusText}`;
    throw new Error(`${method} ${path}: ${message}`);
  }
  return data;
}

function showBanner(message) {
  ui.bannerText.textContent = message;
  ui.banner.hidden = false;
}

let toastSeq = 0;
function toast(message) {
  const mine = ++toastSeq;
  ui.toast.textContent = message;
  ui.toast.classList.add('visible');
  // Hides the note again after a moment; purely cosmetic.
  setTimeout(() => {
    if (mine === toastSeq) ui.toast.classList.remove('visible');
  }, 2600);
}

/** Runs an action; shows what went wrong instead of failing silently. */
function attempt(promise) {
  promise.catch((err) => showBanner(err instanceof Error ? err.message : String(err)));
}

// ---------- users ----------

function saveUsers() {
  localStorage.setItem(USERS_KEY, JSON.stringify(sim.users));
  if (sim.userId) localStorage.setItem(CURRENT_KEY, sim.userId);
}

function readSavedUsers() {
  try {
    const saved = JSON.parse(localStorage.getItem(USERS_KEY) ?? '[]');
    return Array.isArray(saved) ? saved.filter((u) => u && USER_ID.test(u.userId) && typeof u.displayName === 'string') : [];
  } catch {
    return [];
  }
}

function renderUserOptions() {
  ui.select.replaceChildren(
    ...sim.users.map((u) => {
      const option = el('option', '', u.displayName);
      option.value = u.userId;
      option.title = u.userId;
      option.selected = u.userId === sim.userId;
      return option;
    }),
  );
}

async function createUser() {
  const user = await api('POST', '/local/sim/users', {});
  sim.users.push(user);
  selectUser(user.userId);
  // A new LINE friend: Akari greets on follow.
  await api('POST', `/local/sim/users/${user.userId}/follow`);
}

async function loadUsers() {
  const saved = readSavedUsers();
  for (const u of saved) {
    // Re-registers users remembered by this browser (the server forgets them on restart).
    sim.users.push(await api('POST', '/local/sim/users', { userId: u.userId, displayName: u.displayName }));
  }
  if (sim.users.length === 0) {
    await createUser();
    return;
  }
  const current = localStorage.getItem(CURRENT_KEY);
  selectUser(sim.users.some((u) => u.userId === current) ? current : sim.users[0].userId);
}

function selectUser(userId) {
  sim.userId = userId;
  saveUsers();
  renderUserOptions();
  sim.source?.close();
  clearChat();
  ui.stage.textContent = 'ステージ: —';
  ui.stage.dataset.stage = '';
  ui.stateList.replaceChildren();
  sim.menuKey = null;
  const source = new EventSource(`/local/sim/events?userId=${encodeURIComponent(userId)}`);
  sim.source = source;
  source.addEventListener('hello', (event) => {
    const hello = JSON.parse(event.data);
    // Not a resumed stream: the server replays this user's whole history.
    if (!hello.resumed) clearChat();
    document.body.dataset.connected = 'true';
  });
  source.addEventListener('entry', (event) => renderEntry(JSON.parse(event.data)));
  source.addEventListener('reset', () => clearChat());
  source.addEventListener('error', () => {
    document.body.dataset.connected = 'false';
  });
  refreshUserView();
}

// ---------- the chat ----------

function clearChat() {
  ui.chat.replaceChildren();
  sim.lastDayKey = null;
  sim.lastSender = null;
  setQuickReplies(null);
}

function addDaySeparator(at) {
  const key = DAY_KEY.format(at);
  if (key === sim.lastDayKey) return;
  sim.lastDayKey = key;
  sim.lastSender = null;
  const row = el('div', 'day');
  row.append(el('span', 'day-label', DAY.format(at)));
  ui.chat.append(row);
}

function meta(at, extra) {
  const node = el('div', 'meta');
  if (extra) node.append(el('span', 'meta-tag', extra));
  node.append(el('time', 'meta-time', TIME.format(at)));
  return node;
}

function renderUser(entry) {
  const row = el('div', 'row row-user');
  row.append(el('span', 'visually-hidden', 'あなた: '));
  row.append(meta(entry.at));
  row.append(el('div', 'bubble bubble-user', entry.text));
  ui.chat.append(row);
  sim.lastSender = 'user';
}

function renderNote(text, className = 'note') {
  const row = el('div', 'row row-note');
  row.append(el('span', className, text));
  ui.chat.append(row);
  sim.lastSender = null;
}

function renderBot(entry) {
  const { delivery } = entry;
  const messages = Array.isArray(delivery.messages) ? delivery.messages : [];
  messages.forEach((message, index) => {
    const first = sim.lastSender !== 'bot';
    const row = el('div', `row row-bot${first ? ' row-first' : ''}`);
    row.dataset.delivery = delivery.kind;
    const avatar = el('div', 'avatar-slot');
    if (first) avatar.append(el('span', 'avatar avatar-small', 'あ'));
    avatar.setAttribute('aria-hidden', 'true');
    const column = el('div', 'bot-column');
    if (first) column.append(el('div', 'bot-name', 'あかり'));
    const line = el('div', 'bot-line');
    const { node, bare } = renderMessage(message, { onAction: runAction });
    const holder = el('div', bare ? 'bare' : 'bubble bubble-bot');
    holder.append(node);
    line.append(el('span', 'visually-hidden', 'あかり: '), holder);
    const isLast = index === messages.length - 1;
    if (isLast) line.append(meta(delivery.at, delivery.kind === 'push' ? 'プッシュ' : undefined));
    column.append(line);
    row.append(avatar, column);
    ui.chat.append(row);
    sim.lastSender = 'bot';
  });
  const last = messages[messages.length - 1];
  setQuickReplies(last && last.quickReply && Array.isArray(last.quickReply.items) ? last.quickReply.items : null);
}

function renderViolation(entry) {
  const v = entry.violation;
  // A lookup that finds nothing is something the bot may expect; a refused send is a broken rule.
  const lookup = v.method === 'GET' && v.status === 404;
  const card = el('div', lookup ? 'violation violation-soft' : 'violation');
  card.setAttribute('role', lookup ? 'status' : 'alert');
  card.append(
    el('strong', 'violation-title', lookup ? `LINE の応答: 見つかりません（${v.status}）` : `LINE がボットのリクエストを拒否しました（${v.status}）`),
  );
  card.append(el('div', 'violation-path', `${v.method} ${v.path}`));
  const list = el('ul', 'violation-reasons');
  for (const reason of Array.isArray(v.reasons) ? v.reasons : []) list.append(el('li', '', String(reason)));
  card.append(list);
  const row = el('div', 'row row-note');
  row.append(card);
  ui.chat.append(row);
  sim.lastSender = null;
}

function renderEntry(entry) {
  const at = entry.kind === 'bot' ? entry.delivery.at : entry.at;
  if (entry.kind !== 'violation') addDaySeparator(at);
  if (entry.kind === 'user') {
    renderUser(entry);
    setQuickReplies(null);
  } else if (entry.kind === 'note') {
    renderNote(entry.text);
    setQuickReplies(null);
  } else if (entry.kind === 'bot') {
    renderBot(entry);
    refreshUserView();
  } else if (entry.kind === 'violation') {
    renderViolation(entry);
  }
  ui.chat.scrollTop = ui.chat.scrollHeight;
}

function setQuickReplies(items) {
  ui.quick.replaceChildren();
  if (!items || items.length === 0) {
    ui.quick.hidden = true;
    return;
  }
  for (const item of items) {
    const action = item && item.action ? item.action : {};
    const chip = el('button', 'chip', typeof action.label === 'string' ? action.label : '（ラベルなし）');
    chip.type = 'button';
    chip.addEventListener('click', () => {
      setQuickReplies(null);
      runAction(action);
    });
    ui.quick.append(chip);
  }
  ui.quick.hidden = false;
}

// ---------- what the user does ----------

function sendText(text) {
  attempt(api('POST', `/local/sim/users/${sim.userId}/text`, { text }));
}

function sendPostback(data, displayText) {
  attempt(api('POST', `/local/sim/users/${sim.userId}/postback`, displayText ? { data, displayText } : { data }));
}

/** What tapping a button, chip or rich-menu area does in LINE. */
function runAction(action) {
  if (!action || typeof action !== 'object') return;
  switch (action.type) {
    case 'message':
      if (typeof action.text === 'string' && action.text !== '') sendText(action.text);
      return;
    case 'postback':
      if (action.inputOption === 'openKeyboard') {
        ui.text.value = typeof action.fillInText === 'string' ? action.fillInText : '';
        ui.text.focus();
      }
      sendPostback(action.data, typeof action.displayText === 'string' ? action.displayText : undefined);
      return;
    case 'richmenuswitch':
      // LINE switches the menu on the phone and sends the data as a postback.
      sendPostback(action.data);
      return;
    case 'uri': {
      const url = safeWebUrl(action.uri);
      if (url) window.open(url, '_blank', 'noopener,noreferrer');
      else toast(`${String(action.uri)} を開きます（シミュレーターでは開きません）`);
      return;
    }
    case 'clipboard':
      navigator.clipboard.writeText(String(action.clipboardText ?? '')).then(
        () => toast('コピーしました'),
        () => toast('コピーできませんでした'),
      );
      return;
    default:
      toast(`「${String(action.type)}」アクションはシミュレーターでは使えません`);
  }
}

ui.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = ui.text.value;
  if (text.trim() === '') return;
  ui.text.value = '';
  sendText(text);
});

ui.text.addEventListener('keydown', (event) => {
  // Enter that confirms an IME conversion must not send the message.
  if (event.key === 'Enter' && event.isComposing) event.stopPropagation();
});

ui.select.addEventListener('change', () => selectUser(ui.select.value));
ui.addUser.addEventListener('click', () => attempt(createUser()));
ui.resetUser.addEventListener('click', () => attempt(api('POST', `/local/sim/users/${sim.userId}/reset`)));
ui.stage.addEventListener('click', () => {
  const open = ui.statePanel.hidden;
  ui.statePanel.hidden = !open;
  ui.stage.setAttribute('aria-expanded', String(open));
});
ui.bannerClose.addEventListener('click', () => {
  ui.banner.hidden = true;
});

// ---------- stage, rich menu, clock ----------

let refreshing = false;
let refreshAgain = false;

/** Stage and rich menu follow the conversation: re-read them after each of Akari's turns. */
async function refreshUserView() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  try {
    do {
      refreshAgain = false;
      await Promise.all([refreshState(), refreshMenu()]);
    } while (refreshAgain);
  } catch (err) {
    showBanner(err instanceof Error ? err.message : String(err));
  } finally {
    refreshing = false;
  }
}

function describe(value) {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

async function refreshState() {
  const userId = sim.userId;
  const state = await api('GET', `/local/sim/users/${userId}/state`);
  if (userId !== sim.userId) return;
  ui.stage.textContent = `ステージ: ${state.stageLabel ?? '—'}`;
  ui.stage.dataset.stage = state.stage ?? '';
  const rows = [['ステージ', state.stage ?? '—'], ['状態', state.state === null ? '—' : describe(state.state)]];
  if (state.profile && typeof state.profile === 'object') {
    for (const [key, value] of Object.entries(state.profile)) rows.push([key, describe(value)]);
  }
  for (const timer of state.timers ?? []) rows.push([`予定: ${timer.kind}`, timer.due]);
  ui.stateList.replaceChildren(...rows.flatMap(([k, v]) => [el('dt', '', k), el('dd', '', v)]));
}

async function refreshMenu() {
  const userId = sim.userId;
  const info = await api('GET', `/local/sim/richmenu?userId=${encodeURIComponent(userId)}`);
  if (userId !== sim.userId) return;
  const menu = info.menu;
  if (!menu) {
    ui.richmenu.hidden = true;
    ui.chatbar.hidden = true;
    sim.menuKey = null;
    return;
  }
  const key = `${info.source}:${info.richMenuId ?? ''}:${info.imageUrl ?? ''}`;
  if (key === sim.menuKey) return;
  const first = sim.menuKey === null;
  sim.menuKey = key;
  ui.chatbarText.textContent = menu.chatBarText;
  ui.richmenuFrame.style.aspectRatio = `${menu.size.width} / ${menu.size.height}`;
  if (info.imageUrl) ui.richmenuImage.src = info.imageUrl;
  else ui.richmenuImage.removeAttribute('src');
  // LINE would show no menu at all here; the layout is shown so its areas can still be tried.
  ui.richmenuNote.hidden = info.source !== 'layout';
  ui.richmenuNote.textContent = info.source === 'layout' ? '（プレビュー）' : '';
  ui.chatbar.title =
    info.source === 'layout' ? 'ボットはまだこのユーザーにリッチメニューを設定していません。flows/richmenu.yaml のレイアウトを表示しています。' : '';
  ui.richmenuAreas.replaceChildren(
    ...menu.areas.map((area) => {
      const button = el('button', 'richmenu-area');
      button.type = 'button';
      const label = area.action.label ?? area.action.displayText ?? area.action.text ?? '';
      button.setAttribute('aria-label', label);
      button.title = label;
      button.dataset.label = label;
      const { x, y, width, height } = area.bounds;
      button.style.left = `${(x / menu.size.width) * 100}%`;
      button.style.top = `${(y / menu.size.height) * 100}%`;
      button.style.width = `${(width / menu.size.width) * 100}%`;
      button.style.height = `${(height / menu.size.height) * 100}%`;
      button.addEventListener('click', () => runAction(area.action));
      return button;
    }),
  );
  if (first) setMenuOpen(menu.selected !== false);
  ui.chatbar.hidden = false;
}

function setMenuOpen(open) {
  sim.menuOpen = open;
  ui.richmenu.hidden = !open;
  ui.chatbar.setAttribute('aria-expanded', String(open));
  ui.chatbarArrow.textContent = open ? '▾' : '▴';
}

ui.chatbar.addEventListener('click', () => setMenuOpen(!sim.menuOpen));

async function refreshClock() {
  sim.clock = await api('GET', '/local/sim/clock');
  ui.clock.textContent = sim.clock.shortLabel;
  ui.clock.title = sim.clock.label;
  ui.clock.dataset.now = sim.clock.now;
  ui.nextBusiness.title = `${sim.clock.nextBusinessMorningLabel} に進めます`;
}

/** Moves the bot's clock; /local/clock answers after every timer that fell due was handled. */
async function moveClock(body) {
  const buttons = document.querySelectorAll('.clockbar button');
  buttons.forEach((b) => (b.disabled = true));
  document.body.dataset.clockBusy = 'true';
  try {
    await api('POST', '/local/clock', body);
    await refreshClock();
    await refreshUserView();
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    document.body.dataset.clockBusy = 'false';
  }
}

for (const button of document.querySelectorAll('[data-advance]')) {
  button.addEventListener('click', () => attempt(moveClock({ advanceMinutes: Number(button.dataset.advance) })));
}
ui.nextBusiness.addEventListener('click', () => {
  if (sim.clock) attempt(moveClock({ now: sim.clock.nextBusinessMorning }));
});

// ---------- start ----------

/**
 * Shows the page once the Japanese fallback font is there (a no-op download-wise when it is
 * cached): Chromium keeps tofu for text it laid out before a fallback web font arrived.
 */
async function waitForFonts() {
  const loads = ['400', '700'].map((weight) => document.fonts.load(`${weight} 16px "Akari Sim JP"`, 'あ'));
  const giveUp = new Promise((resolve) => setTimeout(resolve, 3000));
  await Promise.race([Promise.allSettled(loads), giveUp]);
  document.body.classList.remove('booting');
}

attempt(
  (async () => {
    await waitForFonts();
    await refreshClock();
    await loadUsers();
    document.body.dataset.ready = 'true';
  })(),
);
