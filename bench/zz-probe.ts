import { parsePhone } from '@sms/phone';
import { parsePhoneNumberWithError, parsePhoneNumber } from 'libphonenumber-js/max';
const N = 100000;
function time(name: string, f: () => unknown): void {
  for (let i = 0; i < 20000; i++) f();
  const r: number[] = [];
  for (let k = 0; k < 3; k++) { const t0 = process.hrtime.bigint(); for (let i = 0; i < N; i++) f(); r.push(Number(process.hrtime.bigint() - t0) / 1e3 / N); }
  console.log(name.padEnd(40), r.sort((a, b) => a - b)[1]!.toFixed(2), 'µs/call');
}
time('lib parse', () => parsePhoneNumberWithError('+447400123456'));
time('lib parse+isValid', () => parsePhoneNumberWithError('+447400123456').isValid());
time('lib parse+isValid+getType', () => { const p = parsePhoneNumberWithError('+447400123456'); return p.isValid() && p.getType(); });
time('lib parse+isValid+getType US', () => { const p = parsePhoneNumber('+12015550123'); return p.isValid() && p.getType(); });
time('parsePhone GB', () => parsePhone('+447400123456'));
time('parsePhone US', () => parsePhone('+12015550123'));
time('parsePhone national GB', () => parsePhone('07400 123456', 'GB'));
time('parsePhone garbage', () => parsePhone('hello'));
time('parsePhone TOO_SHORT (throws inside lib)', () => parsePhone('+44 74'));
