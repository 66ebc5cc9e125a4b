import { groupOf, MAX_MEMBERSHIP, SenderList } from './sender-list';

const run = (country: string, numbers: string[], rate = 1) => ({
  country,
  type: 'longcode' as const,
  numbers,
  segmentsPerSecond: numbers.map(() => rate),
});

describe(SenderList.name, () => {
  it("reads its runs' numbers one run after another, each slot made once and kept", () => {
    const sut = SenderList.ofRuns('alpha', [
      run('GB', ['+447700900002', '+447700900001'], 5),
      run('IE', ['+353851234567']),
    ]);

    expect(sut.length).toBe(3);
    expect(sut.numbers).toEqual(['+447700900002', '+447700900001', '+353851234567']);
    expect(sut.at(1)).toEqual({ number: '+447700900001', providerId: 'alpha', segmentsPerSecond: 5 });
    expect(sut.at(2)).toEqual({ number: '+353851234567', providerId: 'alpha', segmentsPerSecond: 1 });
    expect(sut.at(1)).toBe(sut.at(1));
    expect(sut.find('+353851234567')).toBe(sut.at(2));
    expect([sut.at(3), sut.at(-1), sut.find('+447700900099')]).toEqual([undefined, undefined, undefined]);
  });

  it("uses a single run's lists as they are (no copy per load)", () => {
    const only = run('GB', ['+447700900001']);

    expect(SenderList.ofRuns('alpha', [only]).numbers).toBe(only.numbers);
  });
});

describe(groupOf.name, () => {
  it("reads tied providers' lists one after another, by position", () => {
    const alpha = SenderList.ofRuns('alpha', [run('GB', ['+447700900001', '+447700900002'])]);
    const bravo = SenderList.ofRuns('bravo', [run('GB', ['+447700900010'])]);
    const group = groupOf([alpha, bravo]);

    expect(groupOf([alpha])).toBe(alpha);
    expect(group.length).toBe(3);
    expect([0, 1, 2].map((i) => group.at(i)?.number)).toEqual(['+447700900001', '+447700900002', '+447700900010']);
    expect(group.at(2)).toBe(bravo.at(0));
    expect([group.at(3), group.at(-1)]).toEqual([undefined, undefined]);
  });
});

describe('membership (what the Redis claim checks a sticky sender against)', () => {
  it("lists every sender with its milliseconds per segment, a group's lists one after another, made once", () => {
    const alpha = SenderList.ofRuns('alpha', [run('GB', ['+447700900001', '+447700900002'], 4)]);
    const bravo = SenderList.ofRuns('bravo', [run('GB', ['+447700900010'], 1000)]);

    expect(alpha.membership).toBe(',+447700900001=250,+447700900002=250,');
    expect(alpha.membership).toBe(alpha.membership);
    expect(groupOf([alpha, bravo]).membership).toBe(',+447700900001=250,+447700900002=250,+447700900010=1,');
  });

  it("leaves out a value holding ',' (the claim asks back for it), and gives none past MAX_MEMBERSHIP", () => {
    expect(SenderList.ofRuns('alpha', [run('GB', ['+4477,0090', '+447700900003'])]).membership).toBe(
      ',+447700900003=1000,',
    );
    const numbers = Array.from({ length: MAX_MEMBERSHIP + 1 }, (_, i) => `+4477009${String(i).padStart(5, '0')}`);
    expect(SenderList.ofRuns('alpha', [run('GB', numbers)]).membership).toBeUndefined();
  });
});
