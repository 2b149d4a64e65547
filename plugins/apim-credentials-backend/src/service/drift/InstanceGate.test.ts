import { ApimError } from '../../apim/ApimError';
import { HttpResponse, pacedTransport } from '../../apim/HttpTransport';
import { InstanceGate, InstanceSkippedError } from './InstanceGate';
import { sliceSize } from './slices';

const http = (status: number, code = status) =>
  new ApimError('http', 'GET /x', `HTTP ${status}`, status, code);

describe('InstanceGate', () => {
  it('keeps requests under maxRequestsPerSecond in every one-second window where they are sent, whatever each call does first', async () => {
    const gate = new InstanceGate({
      instanceId: 'a',
      maxConcurrency: 50,
      maxRequestsPerSecond: 20,
      skipAfterFailures: 5,
    });
    const sent: number[] = [];
    const transport = pacedTransport(
      {
        send: async () => {
          sent.push(Date.now());
          const answer: HttpResponse = {
            status: 200,
            ok: true,
            headers: {},
            // Never read: readText below answers for it.
            body: { dump: async () => undefined } as HttpResponse['body'],
          };
          return answer;
        },
        readText: async () => '{}',
      },
      gate.pace,
    );
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        gate.call(async () => {
          // Uneven work before the request (a token, a busy event loop): 0 to 300 ms.
          await new Promise(r => setTimeout(r, (i * 137) % 300));
          await transport.send({ method: 'GET', url: 'x', operation: 'GET x' });
        }),
      ),
    );
    const busiest = Math.max(
      ...sent.map(t => sent.filter(s => s >= t && s < t + 1000).length),
    );
    expect(busiest).toBeLessThanOrEqual(20);
    expect(Math.max(...sent) - Math.min(...sent)).toBeGreaterThanOrEqual(1400);
  });

  it('never has more than maxConcurrency calls in flight', async () => {
    const gate = new InstanceGate({
      instanceId: 'a',
      maxConcurrency: 3,
      maxRequestsPerSecond: 1000,
      skipAfterFailures: 5,
    });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        gate.call(async () => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          await new Promise(r => setTimeout(r, 10));
          inFlight -= 1;
        }),
      ),
    );
    expect(peak).toBe(3);
  });

  it('opens after N consecutive faults, once, and then calls nothing', async () => {
    const onSkip = jest.fn();
    const gate = new InstanceGate({
      instanceId: 'prod',
      maxConcurrency: 1,
      maxRequestsPerSecond: 1000,
      skipAfterFailures: 3,
      onSkip,
    });
    const failing = jest.fn(async () => {
      throw new ApimError('timeout', 'GET /x', 'no answer');
    });
    // A success in between resets the count.
    await expect(gate.call(failing)).rejects.toThrow('no answer');
    await expect(gate.call(failing)).rejects.toThrow('no answer');
    await gate.call(async () => 'ok');
    for (let i = 0; i < 3; i++)
      await expect(gate.call(failing)).rejects.toThrow('no answer');
    expect(gate.isSkipped).toBe(true);
    await expect(gate.call(failing)).rejects.toBeInstanceOf(
      InstanceSkippedError,
    );
    expect(failing).toHaveBeenCalledTimes(5);
    expect(onSkip).toHaveBeenCalledTimes(1);
    expect(onSkip.mock.calls[0][0].message).toMatch(
      /API-M instance "prod" is skipped for the rest of this reconcile run.*no answer/,
    );
  });

  it('does not count answers (4xx, expected errors) as faults', async () => {
    const gate = new InstanceGate({
      instanceId: 'a',
      maxConcurrency: 1,
      maxRequestsPerSecond: 1000,
      skipAfterFailures: 2,
    });
    for (let i = 0; i < 3; i++) {
      await expect(
        gate.call(async () => {
          throw http(404);
        }),
      ).rejects.toThrow();
      await expect(
        gate.call(
          async () => {
            throw http(500, 500);
          },
          e => e instanceof ApimError && e.is(500, 500),
        ),
      ).rejects.toThrow();
    }
    expect(gate.isSkipped).toBe(false);
  });
});

describe('sliceSize', () => {
  const minute = 60_000;
  const day = 1440 * minute;
  it('takes a period share per run so that a day of runs covers every mapping', () => {
    expect(sliceSize(100_000, 5 * minute, 5 * minute, day)).toBe(348);
    expect(sliceSize(100_000, undefined, 5 * minute, day)).toBe(348);
    expect(sliceSize(3, 5 * minute, 5 * minute, day)).toBe(1);
    expect(sliceSize(0, 5 * minute, 5 * minute, day)).toBe(0);
    // runs fired more often than the period still take a period's share
    expect(sliceSize(100_000, 1000, 5 * minute, day)).toBe(348);
  });
  it('catches up on missed time, never beyond everything', () => {
    expect(sliceSize(100_000, 60 * minute, 5 * minute, day)).toBe(4167);
    expect(sliceSize(100_000, 3 * day, 5 * minute, day)).toBe(100_000);
    expect(sliceSize(10, 5 * minute, 5 * minute, 5 * minute)).toBe(10);
  });
});
