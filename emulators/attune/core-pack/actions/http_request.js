#!/usr/bin/env node
// core.http_request: upstream's packs/core/actions/http_request.{yaml,sh} (a curl script there),
// here on Node's fetch with the same parameters and the same JSON output:
//   params  url (required), method (GET), headers {}, body, json_body, query_params {}, timeout (30 s),
//           verify_ssl (true), auth_type none|basic|bearer, auth_username, auth_password, auth_token,
//           follow_redirects (true), max_redirects (10)
//   output  {status_code, headers, body, json, elapsed_ms, url, success} (+ error); exit 0 for any HTTP
//           answer (success = 2xx), exit 1 with status_code 0 and an error when no answer came.
'use strict';

function readStdin() {
  return new Promise((resolve) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (c) => (text += c));
    process.stdin.on('end', () => resolve(text));
  });
}

// curl's messages, as upstream's script maps its exit codes.
function errorMessage(err) {
  const code = err?.cause?.code ?? err?.code ?? '';
  if (err?.name === 'TimeoutError' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_HEADERS_TIMEOUT') return 'Request timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'Could not resolve host';
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'Failed to connect to host';
  if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return 'Empty reply from server';
  if (/certificate|TLS|SSL/i.test(String(err?.cause?.message ?? err?.message))) return 'SSL/TLS connection error';
  return String(err?.cause?.message ?? err?.message ?? err);
}

async function main() {
  const text = (await readStdin()).split('\n')[0] || '{}';
  const p = JSON.parse(text);
  const started = Date.now();
  const fail = (url, error) => {
    process.stdout.write(`${JSON.stringify({ status_code: 0, headers: {}, body: '', json: null, elapsed_ms: Date.now() - started, url, success: false, error })}\n`);
    process.exit(1);
  };
  if (!p.url) return fail('', 'url parameter is required');
  let url;
  try {
    url = new URL(String(p.url));
  } catch {
    return fail(String(p.url), 'Malformed URL');
  }
  for (const [k, v] of Object.entries(p.query_params ?? {})) url.searchParams.append(k, String(v));
  const method = String(p.method ?? 'GET').toUpperCase();
  const headers = new Headers();
  for (const [k, v] of Object.entries(p.headers ?? {})) headers.set(k, String(v));
  if (p.auth_type === 'basic' && p.auth_username) {
    headers.set('Authorization', `Basic ${Buffer.from(`${p.auth_username}:${p.auth_password ?? ''}`).toString('base64')}`);
  } else if (p.auth_type === 'bearer' && p.auth_token) {
    headers.set('Authorization', `Bearer ${p.auth_token}`);
  }
  let body;
  if (p.json_body !== undefined && p.json_body !== null && p.json_body !== '') {
    body = typeof p.json_body === 'string' ? p.json_body : JSON.stringify(p.json_body);
    headers.set('Content-Type', 'application/json');
  } else if (p.body !== undefined && p.body !== null && p.body !== '') {
    body = typeof p.body === 'string' ? p.body : JSON.stringify(p.body);
  }
  if (p.verify_ssl === false || p.verify_ssl === 'false') process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  const follow = !(p.follow_redirects === false || p.follow_redirects === 'false');
  const maxRedirects = Number(p.max_redirects ?? 10);
  const timeoutMs = Math.max(1, Number(p.timeout ?? 30)) * 1000;
  const signal = AbortSignal.timeout(timeoutMs);
  let res;
  let current = url;
  try {
    for (let hops = 0; ; hops++) {
      res = await fetch(current, { method, headers, body: ['GET', 'HEAD'].includes(method) ? undefined : body, redirect: 'manual', signal });
      const location = res.headers.get('location');
      if (!follow || !location || res.status < 300 || res.status >= 400 || hops >= maxRedirects) break;
      current = new URL(location, current);
    }
  } catch (err) {
    return fail(current.toString(), errorMessage(err));
  }
  const responseBody = await res.text();
  const responseHeaders = {};
  res.headers.forEach((v, k) => (responseHeaders[k] = v));
  let json = null;
  const trimmed = responseBody.trim();
  if (/^[[{]/.test(trimmed)) {
    try {
      json = JSON.parse(trimmed);
    } catch {
      json = null;
    }
  }
  process.stdout.write(`${JSON.stringify({
    status_code: res.status,
    headers: responseHeaders,
    body: responseBody,
    json,
    elapsed_ms: Date.now() - started,
    url: current.toString(),
    success: res.status >= 200 && res.status < 300,
  })}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err?.stack ?? err}\n`);
  process.exit(2);
});
