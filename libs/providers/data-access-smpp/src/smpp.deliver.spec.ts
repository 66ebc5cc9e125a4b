import * as smpp from 'smpp';
import { buildSubmitParts } from './smpp.encoding';
import { inboundFromRecord, messageText } from './smpp.deliver';
import { MoAssembler } from './smpp.mo';
import { recordFromPdu, relativeValidity } from './smpp.provider';

/** A deliver_sm through node-smpp's encoder and decoder, as the adapter receives it. */
function received(fields: Record<string, unknown>): smpp.Pdu {
  return new smpp.PDU(new smpp.PDU('deliver_sm', fields).toBuffer());
}

describe('recordFromPdu', () => {
  it('keeps short_message bytes exact although node-smpp decoded them (GSM-7, UCS-2, with UDH)', () => {
    for (const body of ['Hello {world} €5', 'Привет 😀', 'x'.repeat(170)]) {
      for (const part of buildSubmitParts(body, 77)) {
        const record = recordFromPdu(
          received({
            source_addr: '46709999999',
            destination_addr: '46701740605',
            esm_class: part.esmClass,
            data_coding: part.dataCoding,
            short_message: part.shortMessage,
          }),
        );
        expect(record.short_message).toBe(part.shortMessage.toString('hex'));
      }
    }
  });

  it('reads the receipt TLVs', () => {
    const record = recordFromPdu(
      received({
        esm_class: 0x04,
        data_coding: 0,
        short_message: Buffer.from('id:1 stat:DELIVRD'),
        receipted_message_id: '00AB',
        message_state: 2,
        network_error_code: Buffer.from([3, 0, 0]),
      }),
    );
    expect(record).toMatchObject({ receipted_message_id: '00AB', message_state: 2, network_error_code: '030000' });
  });
});

describe('MoAssembler', () => {
  const part = (shortMessage: Buffer, esmClass: number, from = '46709999999') =>
    recordFromPdu(
      received({
        source_addr: from,
        destination_addr: '4512',
        esm_class: esmClass,
        data_coding: 0,
        short_message: shortMessage,
      }),
    );

  it('passes single messages through and joins concatenated parts in order, whatever their arrival order', () => {
    const assembler = new MoAssembler();
    const single = part(buildSubmitParts('STOP', 1)[0]!.shortMessage, 0);
    expect(assembler.add(single)).toBe(single);
    const body = 'Long reply. '.repeat(20);
    const parts = buildSubmitParts(body, 9).map((p) => part(p.shortMessage, p.esmClass));
    expect(parts.length).toBeGreaterThan(1);
    const [first, ...rest] = parts;
    for (const p of rest.reverse()) {
      expect(assembler.add(p)).toBeNull();
    }
    const complete = assembler.add(first!);
    expect(inboundFromRecord(complete!, 'mo-1')).toMatchObject({ from: '+46709999999', to: '4512', body });
    assembler.clear();
  });

  it('hands on an incomplete message after the timeout instead of dropping it', async () => {
    const assembler = new MoAssembler(20);
    const expired: string[] = [];
    assembler.setExpiryHandler((record) => expired.push((record.parts ?? []).map(messageText).join('')));
    const [first] = buildSubmitParts('y'.repeat(200), 3);
    expect(assembler.add(part(first!.shortMessage, first!.esmClass))).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(expired).toEqual(['y'.repeat(153)]);
  });
});

describe('relativeValidity', () => {
  it('writes SMPP relative time', () => {
    expect(relativeValidity(3_600)).toBe('000000010000000R');
    expect(relativeValidity(2 * 86_400 + 61)).toBe('000002000101000R');
  });
});
