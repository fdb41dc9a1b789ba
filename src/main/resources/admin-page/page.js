// The status page: reads the admin API of the engine that serves it and drives its buttons. Plain browser
// JavaScript, no build step. Every value from the API goes into the page as text, never as HTML.
'use strict';

const REFRESH_MS = 5000;
const TOKEN_KEY = 'provisioning.adminToken';
let refreshing = false;
/** The job the page shows: ?job=<id>, else the job default, else the engine's first job. */
let job = new URLSearchParams(location.search).get('job');

const $ = (id) => document.getElementById(id);

class Unauthorized extends Error {}

/** The job's own path of an endpoint: /api/status is the job default's, /api/jobs/<job>/status another job's. */
function jobPath(path) {
  return !job || job === 'default' ? path : path.replace(/^\/api\//, '/api/jobs/' + encodeURIComponent(job) + '/');
}

/**
 * Calls the admin API (the shown job's endpoint) with the session's token; a 401 asks for the token and rejects
 * with Unauthorized.
 */
async function api(path, method = 'GET') {
  path = path === '/api/jobs' ? path : jobPath(path);
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) {
    headers.Authorization = 'Bearer ' + token;
  }
  const response = await fetch(path, { method, headers, cache: 'no-store' });
  if (response.status === 401) {
    askForToken(token ? 'The admin API did not accept this token.' : '');
    throw new Unauthorized();
  }
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
}

function askForToken(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  $('main').hidden = true;
  $('token-form').hidden = false;
  $('token-error').textContent = message;
  $('updated').textContent = 'Signed out';
  $('token').focus();
}

function errorOf(reply) {
  return reply.body && reply.body.error ? reply.body.error.message : 'HTTP ' + reply.status;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '–';
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) {
    return '–';
  }
  const s = Math.round(seconds);
  return s < 60 ? s + 's' : Math.floor(s / 60) + 'm ' + String(s % 60).padStart(2, '0') + 's';
}

/** "created 3, updated 1": the counts that are not zero. */
function counts(map) {
  const parts = Object.entries(map || {}).filter(([, n]) => n > 0).map(([name, n]) => name + ' ' + n);
  return parts.length ? parts.join(', ') : 'no changes';
}

/** Replaces a table body's rows; each row is a list of cell texts (or {text, className}). */
function rows(tbody, list, empty, columns) {
  tbody.replaceChildren();
  if (list.length === 0) {
    const cell = tbody.insertRow().insertCell();
    cell.colSpan = columns;
    cell.textContent = empty;
    return;
  }
  for (const cells of list) {
    const row = tbody.insertRow();
    for (const value of cells) {
      const cell = row.insertCell();
      if (value !== null && typeof value === 'object') {
        cell.textContent = value.text;
        cell.className = value.className;
      } else {
        cell.textContent = value === null || value === undefined ? '' : String(value);
      }
    }
  }
}

function showStatus(status) {
  const quarantined = status.quarantine !== null;
  const state = $('job-state');
  state.textContent = status.state + (quarantined ? ', quarantined' : '');
  state.className = quarantined ? 'state-quarantined' : 'state-' + status.state;
  const q = status.quarantine;
  $('quarantine').textContent = !q ? 'none'
    : q.reason + ': ' + q.detail + (q.stopped ? ' (stopped: no more attempts)' : ' (next attempt ' + time(q.nextAttempt) + ')');
  const d = status.deletions;
  $('deletions-held').textContent = d.held > 0
    ? 'yes: ' + d.held + ' held since ' + time(d.since) + ' (threshold ' + d.threshold + ')'
    : 'no (threshold ' + d.threshold + ')';
  $('escrow-counts').textContent = status.escrows + ' (' + status.escrow.waiting + ' waiting for a retry, '
    + status.escrow.permanent + ' permanent)';

  const cycle = status.cycle;
  $('no-cycle').hidden = cycle !== null;
  $('cycle').hidden = cycle === null;
  if (cycle) {
    const progress = $('progress');
    if (cycle.percent === null) {
      progress.removeAttribute('value');
      $('progress-label').textContent = 'Progress: ' + cycle.processed + ' users so far (total not known yet)';
    } else {
      progress.value = cycle.percent;
      $('progress-label').textContent = 'Progress: ' + cycle.percent + '% (' + cycle.processed + ' of '
        + cycle.total + ' ' + (cycle.totalOf === 'scope' ? 'users in scope' : 'changes read so far') + ')';
    }
    $('cycle-type').textContent = cycle.type + (cycle.dryRun ? ' (dry run)' : '') + ', started ' + time(cycle.start);
    $('cycle-pages').textContent = cycle.pagesRead;
    $('cycle-counts').textContent = counts(cycle.counts);
    $('cycle-elapsed').textContent = duration(cycle.elapsedSeconds);
    $('cycle-remaining').textContent = duration(cycle.remainingSeconds);
  }
}

function showDeletions(deletions) {
  $('deletions-summary').textContent = deletions.held > 0
    ? deletions.held + ' disables and deletes are held (threshold ' + deletions.threshold + ', since '
      + time(deletions.since) + ')' + (deletions.objects.length < deletions.held
        ? '; the first ' + deletions.objects.length + ':' : ':')
    : 'No disables or deletes are held.';
  $('deletions-table').hidden = deletions.held === 0;
  rows($('deletions'), deletions.objects.map((o) => [o.objectType, o.sourceIdentity || o.sourceId, o.action,
    o.reason]), '', 4);
  $('approve').disabled = deletions.held === 0;
  $('reject').disabled = deletions.held === 0;
}

function showCycles(reply) {
  rows($('cycles'), reply.cycles.map((c) => [c.type + (c.dryRun ? ' (dry run)' : ''), time(c.start),
    duration(c.durationMs / 1000), { text: c.state, className: c.state === 'failed' ? 'error' : '' },
    counts(c.counts) + (c.error ? ' – ' + c.error : '')]), 'No cycle has run yet.', 5);
}

function showEscrow(reply) {
  rows($('escrow'), reply.objects.map((o) => [o.objectType + (o.matchValue ? ' ' + o.matchValue : ''), o.sourceId,
    o.action, o.attempts, o.permanent ? 'permanent: when it changes in Entra ID' : (o.nextRetry ? time(o.nextRetry)
      : 'next cycle'), o.lastError]), 'Nothing is in escrow.', 6);
}

/** The log lines of the chosen statuses (several: one query each, merged newest first). */
async function loadLogs() {
  const statuses = $('logs-status').value.split(',');
  const user = $('logs-user').value.trim();
  const replies = await Promise.all(statuses.map((status) => {
    const query = new URLSearchParams({ status, limit: '20' });
    if (user) {
      query.set('source-id', user);
    }
    return api('/api/logs?' + query);
  }));
  const failed = replies.find((r) => r.status !== 200);
  if (failed) {
    rows($('logs'), [[{ text: errorOf(failed), className: 'error' }]], '', 5);
    return;
  }
  const entries = replies.flatMap((r) => r.body.entries).sort((a, b) => (a.time < b.time ? 1 : -1)).slice(0, 20);
  rows($('logs'), entries.map((e) => [time(e.time), e.sourceIdentity || e.sourceId, e.action,
    { text: e.status, className: 'status-' + e.status }, e.reason || (e.error ? e.error.reason : '')]),
  'No matching lines.', 5);
}

/** The engine's jobs in the job list (shown when there is more than the job default); the shown job chosen. */
async function loadJobs() {
  const reply = await api('/api/jobs');
  const ids = reply.status === 200 ? reply.body.jobs.map((j) => j.job) : [];
  if (!job || !ids.includes(job)) {
    job = ids.includes('default') || ids.length === 0 ? 'default' : ids[0];
  }
  const select = $('job-select');
  select.replaceChildren(...ids.map((id) => new Option(id, id, false, id === job)));
  $('job-choice').hidden = ids.length < 2 && job === 'default';
}

async function refresh() {
  if (refreshing) {
    return;
  }
  refreshing = true;
  try {
    await loadJobs();
    const [status, cycles, deletions, escrow] = await Promise.all(['/api/status', '/api/cycles?limit=10',
      '/api/deletions?limit=10', '/api/escrow?limit=20'].map((path) => api(path)));
    showStatus(status.body);
    showCycles(cycles.body);
    showDeletions(deletions.body);
    showEscrow(escrow.body);
    await loadLogs();
    $('token-form').hidden = true;
    $('main').hidden = false;
    $('updated').textContent = 'Updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    if (!(e instanceof Unauthorized)) {
      $('updated').textContent = 'The engine did not answer: ' + e.message;
    }
  } finally {
    refreshing = false;
  }
}

/** A button's POST; the answer's message goes to the section's status line, then the page refreshes. */
async function post(path, resultId, describe) {
  const result = $(resultId);
  result.textContent = 'Sending…';
  try {
    const reply = await api(path, 'POST');
    result.className = reply.status < 300 ? '' : 'error';
    result.textContent = reply.status < 300 ? describe(reply.body) : errorOf(reply);
  } catch (e) {
    result.textContent = e instanceof Unauthorized ? '' : 'The engine did not answer: ' + e.message;
  }
  refresh();
}

function renderPreview(reply) {
  const out = $('preview');
  out.replaceChildren();
  const line = (text, className) => {
    const p = document.createElement('p');
    p.textContent = text;
    if (className) {
      p.className = className;
    }
    out.append(p);
  };
  if (reply.status !== 200) {
    line(errorOf(reply), 'error');
    return;
  }
  const p = reply.body;
  line('Action: ' + p.action + (p.reason ? ' (' + p.reason + ')' : ''));
  line((p.userPrincipalName || p.id) + ': ' + (p.inScope ? 'in scope' : 'not in scope') + ' – ' + p.scopeReason);
  if (p.match) {
    line('Match: ' + (p.match.found ? 'found ' + p.match.targetId : 'no account found')
      + (p.match.filter ? ' (' + p.match.filter + ')' : ''));
  }
  if (p.modifiedProperties && p.modifiedProperties.length) {
    const table = document.createElement('table');
    table.createCaption().textContent = 'Changes';
    const head = table.createTHead().insertRow();
    for (const name of ['Attribute', 'Old value in the target', 'New value']) {
      const th = document.createElement('th');
      th.scope = 'col';
      th.textContent = name;
      head.append(th);
    }
    const body = table.createTBody();
    rows(body, p.modifiedProperties.map((m) => [m.name, JSON.stringify(m.old), JSON.stringify(m.new)]), '', 3);
    out.append(table);
  }
  if (p.resource) {
    const pre = document.createElement('pre');
    pre.textContent = JSON.stringify(p.resource, null, 2);
    out.append(pre);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $('token').value.trim());
    $('token').value = '';
    refresh();
  });
  $('start').addEventListener('click', () => post('/api/job/start', 'job-result', (s) => 'Job ' + s.state + '.'));
  $('stop').addEventListener('click', () => post('/api/job/stop', 'job-result', (s) => 'Job ' + s.state + '.'));
  $('restart').addEventListener('click', () => post('/api/job/restart', 'job-result',
    (r) => 'Restarted: the next cycle is ' + r.nextCycle + '.'));
  $('approve').addEventListener('click', () => post('/api/deletions/approve', 'deletions-result',
    (r) => r.approved + ' disables and deletes approved; a cycle sends them now.'));
  $('reject').addEventListener('click', () => post('/api/deletions/reject', 'deletions-result',
    (r) => r.rejected + ' disables and deletes rejected; none is sent.'));
  $('logs-filter').addEventListener('submit', (event) => {
    event.preventDefault();
    loadLogs().catch(() => {});
  });
  $('preview-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    $('preview').textContent = 'Asking…';
    try {
      renderPreview(await api('/api/preview/users/' + encodeURIComponent($('preview-id').value.trim())));
    } catch (e) {
      $('preview').textContent = e instanceof Unauthorized ? '' : 'The engine did not answer: ' + e.message;
    }
  });
  $('job-select').addEventListener('change', () => {
    job = $('job-select').value;
    history.replaceState(null, '', '?job=' + encodeURIComponent(job));
    refresh();
  });
  refresh();
  // While the page waits for the token, it does not ask the API again.
  setInterval(() => $('token-form').hidden && refresh(), REFRESH_MS);
});
