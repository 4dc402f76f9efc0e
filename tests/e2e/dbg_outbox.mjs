import { startWithBrowser, closeAll } from './lib.mjs';
const { srv, chrome } = await startWithBrowser();
try {
  const ctx = await chrome.browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN' });
  const p = await ctx.newPage();
  p.on('console', (m) => console.log('console', m.type(), m.text()));
  p.on('pageerror', (e) => console.log('pageerror', e.message));
  await p.goto(srv.url + '/');
  await p.getByLabel('Tên đăng nhập').fill('demo.commune');
  await p.getByLabel('Mật khẩu').fill('demo-password');
  await p.getByRole('button', { name: 'Đăng nhập' }).click();
  await p.getByRole('heading', { name: /Xin chào/ }).waitFor();
  await p.goto(`${srv.url}/#/patients/new`);
  await p.getByLabel('Họ và tên').fill('Thử Thị A');
  await p.getByLabel('hoặc chỉ năm sinh').fill('1990');
  await p.getByLabel('Nữ', { exact: true }).check();
  await p.getByRole('button', { name: 'Lưu' }).click();
  await new Promise((r) => setTimeout(r, 3000));
  console.log(p.url());
  console.log(await p.locator('p.error').allInnerTexts());
} finally { await closeAll({ srv, chrome }); }
