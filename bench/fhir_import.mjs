// FHIR $import throughput (docs/fhir.md "Bulk import"): LINES Patients made by this script (a valid
// CCCD each, names and years unique by construction so that no line is a likely duplicate of
// another), sent as files of 10 000 lines (the ceiling) by the ministry's administrator, spread
// over FACILITIES facilities, one file at a time. Then the first file again (every line found by
// its CCCD and left unchanged). Prints each pass's wall time, patients/s and the server's peak RSS.
//
//   YTEXA_BIN      the server binary (build/ytexa)
//   LINES          Patients in all (100000)
//   FACILITIES     facilities they go to, from id 1 (10)
//   YTEXA_TEST_DB  a PostgreSQL URL to run on PostgreSQL instead of SQLite (as the tests)
//
// Run as: node bench/fhir_import.mjs
import { readFileSync } from 'node:fs';
import { startServer, api, login } from '../tests/api/lib/server.mjs';

const LINES = Number(process.env.LINES || 100000);
const FACILITIES = Number(process.env.FACILITIES || 10);
const FILE = 10000;
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Giàng', 'Sùng', 'Vàng', 'Lò'];
const MIDDLE = ['Văn', 'Thị', 'Hữu', 'Đức', 'Minh', 'Quốc', 'Thanh', 'Ngọc', 'Xuân', 'Thu', 'Seo', 'Mí', 'A', 'Thế', 'Công', 'Kim', 'Bảo', 'Gia', 'Hoài', 'Trung'];
const GIVEN = ['An', 'Bình', 'Cường', 'Dũng', 'Giang', 'Hà', 'Hải', 'Hạnh', 'Hoa', 'Hùng', 'Hương', 'Khánh', 'Lan', 'Linh', 'Long', 'Mai', 'Minh', 'Nam', 'Nga', 'Ngọc',
  'Nhung', 'Phong', 'Phúc', 'Phương', 'Quang', 'Quân', 'Sơn', 'Tâm', 'Thảo', 'Thắng', 'Thủy', 'Tiến', 'Trang', 'Trung', 'Tú', 'Tuấn', 'Vân', 'Việt', 'Vinh', 'Yến',
  'Páo', 'Chứ', 'Dở', 'Súa', 'Pó', 'Tủa', 'Lử', 'Của', 'Mỷ', 'Sử'];

// Line i: unique (family, middle, given, year) for i below 1.2 M, and a CCCD agreeing with them.
function patient(i) {
  const year = 1940 + Math.floor(i / 20000) % 60;
  const female = i % 2 === 1;
  const cccd = `001${female ? 1 : 0}${String(year % 100).padStart(2, '0')}${String(i % 1000000).padStart(6, '0')}`;
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'http://fhir.hl7.org.vn/core/sid/cccd', value: cccd }],
    name: [{ text: `${FAMILY[i % 20]} ${MIDDLE[Math.floor(i / 20) % 20]} ${GIVEN[Math.floor(i / 400) % 50]}` }],
    gender: female ? 'female' : 'male',
    birthDate: `${year}-0${1 + (i % 9)}-1${i % 10}`,
    telecom: [{ system: 'phone', value: `09${String(10000000 + i).slice(-8)}` }],
    address: [{ line: [`Thôn ${i % 97}`] }],
  };
}
const file = (k) => Array.from({ length: Math.min(FILE, LINES - k * FILE) }, (_, j) => JSON.stringify(patient(k * FILE + j))).join('\n') + '\n';

const srv = await startServer();
const admin = await login(srv, 'demo.ministry-admin');
const send = async (text, facility) => {
  const r = await api(srv, 'POST', `/fhir/$import?facility=${facility}`, { token: admin.token, raw: text, headers: { 'content-type': 'application/fhir+ndjson' } });
  if (r.status !== 200) throw new Error(`${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  const sum = (typeof r.body === 'string' ? r.body : JSON.stringify(r.body)).split('\n')[0];
  return Object.fromEntries(JSON.parse(sum).parameter.map((p) => [p.name, p.valueInteger]));
};
const files = Math.ceil(LINES / FILE);
const texts = Array.from({ length: files }, (_, k) => file(k));
const total = { created: 0, updated: 0, unchanged: 0, refused: 0 };
let t0 = process.hrtime.bigint();
for (let k = 0; k < files; k++) {
  const s = await send(texts[k], 1 + (k % FACILITIES));
  for (const n of Object.keys(total)) total[n] += s[n];
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`import: ${LINES} lines in ${files} files, ${(ms / 1000).toFixed(1)} s, ${Math.round(LINES / (ms / 1000))} patients/s, ${JSON.stringify(total)} (${srv.pg ? 'PostgreSQL' : 'SQLite'})`);
t0 = process.hrtime.bigint();
const again = await send(texts[0], 1);
const ms2 = Number(process.hrtime.bigint() - t0) / 1e6;
console.log(`again: the first file, ${(ms2 / 1000).toFixed(2)} s, ${JSON.stringify(again)}`);
const hwm = readFileSync(`/proc/${srv.proc.pid}/status`, 'utf8').match(/VmHWM:\s+(\d+)/)[1];
console.log(`server peak RSS ${Math.round(hwm / 1024)} MB; patients in the database ${srv.sql('SELECT COUNT(*) FROM patients')}`);
await srv.close();
