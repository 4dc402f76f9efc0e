// Debian's chromium, driven by playwright-core (never a downloaded browser), with the flags the
// project's machines need (see shared notes): headless, no sandbox as root, no background
// networking; playwright gives each launch a fresh profile of its own.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../api/lib/server.mjs';

export const OUT = new URL('../../test-output/e2e/', import.meta.url).pathname;
export const WEB = new URL('../../web/dist', import.meta.url).pathname;

// media: a fake camera and microphone that need no permission prompt, and ICE candidates on
// loopback (without which a call between two pages of this machine never connects).
export const MEDIA_FLAGS = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--allow-loopback-in-peer-connection'];

export async function launch({ media = false } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'ytexa-chromium-'));
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(media ? MEDIA_FLAGS : [])],
    env: { ...process.env, HOME: home, XDG_RUNTIME_DIR: home, TMPDIR: home },
  });
  return { browser, close: async () => { await browser.close().catch(() => {}); rmSync(home, { recursive: true, force: true }); } };
}

// The server with the built web app, and a browser: what every browser test starts with.
export async function startWithBrowser({ extraArgs = [], env = {}, media = false } = {}) {
  return { srv: await startServer({ extraArgs: ['--web', WEB, ...extraArgs], env }), chrome: await launch({ media }) };
}
export async function closeAll({ srv, chrome }) {
  await chrome?.close();
  await srv?.close();
}

// A fresh browser context (Vietnamese locale) logged in as username; returns { p, ctx }.
export async function session(chrome, url, username, { viewport = { width: 1024, height: 800 }, password = 'demo-password' } = {}) {
  const ctx = await chrome.browser.newContext({ viewport, locale: 'vi-VN' });
  const p = await ctx.newPage();
  await p.goto(url + '/');
  await p.getByLabel('Tên đăng nhập').fill(username);
  await p.getByLabel('Mật khẩu').fill(password);
  await p.getByRole('button', { name: 'Đăng nhập' }).click();
  await p.getByRole('heading', { name: /Xin chào/ }).waitFor();
  return { p, ctx };
}
