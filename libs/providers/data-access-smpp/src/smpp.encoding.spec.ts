import { countSegments } from '@sms/segments';
import {
  buildSubmitParts,
  concatUdh,
  decodeText,
  gsm7Septets,
  gsm7Text,
  packSeptets,
  splitUdh,
  unpackSeptets,
} from './smpp.encoding';

describe('GSM-7 septets and packing', () => {
  it('maps basic and extension characters (extension = ESC + septet)', () => {
    expect(gsm7Septets('@A€')).toEqual([0x00, 0x41, 0x1b, 0x65]);
    expect(gsm7Text([0x00, 0x41, 0x1b, 0x65])).toBe('@A€');
    expect(() => gsm7Septets('ж')).toThrow(RangeError);
  });

  it('packs 8 septets into 7 octets (TS 23.038 example "hellohello")', () => {
    const packed = packSeptets(gsm7Septets('hellohello'));
    expect(packed.toString('hex')).toBe('e8329bfd4697d9ec37');
    expect(gsm7Text(unpackSeptets(packed, 0, 10))).toBe('hellohello');
  });

  it('aligns the text after a 6-octet UDH with one fill bit', () => {
    const packed = packSeptets(gsm7Septets('Hi'), 1);
    expect(unpackSeptets(packed, 1, 2)).toEqual(gsm7Septets('Hi'));
    expect(packed[0]! & 1).toBe(0);
  });
});

describe('buildSubmitParts', () => {
  it('sends one GSM-7 part on data_coding 0 without UDH', () => {
    const [part, ...rest] = buildSubmitParts('Your code is 123456', 7);
    expect(rest).toHaveLength(0);
    expect(part).toMatchObject({ dataCoding: 0, esmClass: 0 });
    expect(decodeText(part!.shortMessage, 0)).toBe('Your code is 123456');
  });

  it('splits long GSM-7 into the counted segments, each with `05 00 03 ref total seq`', () => {
    const body = `${'a'.repeat(300)}{}`;
    const parts = buildSubmitParts(body, 0x2a);
    expect(parts).toHaveLength(countSegments(body).segments);
    parts.forEach((part, index) => {
      expect(part.esmClass).toBe(0x40);
      expect([...part.shortMessage.subarray(0, 6)]).toEqual([5, 0, 3, 0x2a, parts.length, index + 1]);
      expect(part.shortMessage.length - 6).toBeLessThanOrEqual(153);
    });
    const text = parts.map((part) => decodeText(splitUdh(part.shortMessage).payload, 0)).join('');
    expect(text).toBe(body);
  });

  it('packs long GSM-7 into at most 140 octets per part when asked', () => {
    const parts = buildSubmitParts('b'.repeat(306), 1, 'packed');
    expect(parts).toHaveLength(2);
    for (const part of parts) {
      expect(part.shortMessage.length).toBeLessThanOrEqual(140);
      expect(gsm7Text(unpackSeptets(part.shortMessage.subarray(6), 1, 153))).toBe('b'.repeat(153));
    }
  });

  it('uses UCS-2 (data_coding 8, big-endian) when a character is outside GSM 03.38', () => {
    const body = 'Привет '.repeat(20);
    const parts = buildSubmitParts(body, 3);
    expect(parts).toHaveLength(countSegments(body).segments);
    expect(parts.every((part) => part.dataCoding === 8 && part.shortMessage.length <= 140)).toBe(true);
    expect(parts.map((part) => decodeText(splitUdh(part.shortMessage).payload, 8)).join('')).toBe(body);
    expect(buildSubmitParts('ж', 0)[0]!.shortMessage.toString('hex')).toBe('0436');
  });

  it('reads 8- and 16-bit concatenation headers', () => {
    expect(splitUdh(Buffer.concat([concatUdh(9, 3, 2), Buffer.from('x')])).concat).toEqual({
      ref: 9,
      total: 3,
      seq: 2,
    });
    const sixteen = Buffer.from([6, 8, 4, 0x12, 0x34, 2, 1, 0x41]);
    expect(splitUdh(sixteen)).toMatchObject({ concat: { ref: 0x1234, total: 2, seq: 1 }, udhLength: 7 });
  });
});
