import { FieldType } from '@grafana/data';
import { toDataFrame } from './frames';

describe('toDataFrame', () => {
  it('maps schema and column values to typed fields', () => {
    const frame = toDataFrame(
      {
        schema: {
          name: 'volume',
          meta: { preferredVisualisationType: 'graph' },
          fields: [
            { name: 'time', type: 'time' },
            { name: 'value', type: 'number', labels: { direction: 'inbound' }, config: { unit: 'short' } },
          ],
        },
        data: {
          values: [
            [1_700_000_000_000, '2024-01-01T00:01:00.000Z'],
            [3, 5],
          ],
        },
      },
      'A'
    );
    expect(frame.refId).toBe('A');
    expect(frame.name).toBe('volume');
    expect(frame.length).toBe(2);
    expect(frame.meta?.preferredVisualisationType).toBe('graph');
    expect(frame.fields.map((f) => f.type)).toEqual([FieldType.time, FieldType.number]);
    // ISO timestamps become epoch ms, as Grafana's time fields expect.
    expect(frame.fields[0].values).toEqual([1_700_000_000_000, Date.parse('2024-01-01T00:01:00.000Z')]);
    expect(frame.fields[1].labels).toEqual({ direction: 'inbound' });
    expect(frame.fields[1].config).toEqual({ unit: 'short' });
  });

  it('keeps the refId the server set and pads short columns with null', () => {
    const frame = toDataFrame(
      {
        schema: {
          refId: 'B',
          fields: [
            { name: 'a', type: 'string' },
            { name: 'b', type: 'boolean' },
            { name: 'c', type: 'other' },
          ],
        },
        data: { values: [['x', 'y', 'z'], [true]] },
      },
      'A'
    );
    expect(frame.refId).toBe('B');
    expect(frame.length).toBe(3);
    expect(frame.fields[1].values).toEqual([true, null, null]);
    expect(frame.fields[2].values).toEqual([null, null, null]);
  });

  it('gives an empty frame for an empty range, not an error', () => {
    const frame = toDataFrame({ schema: { fields: [{ name: 'time', type: 'time' }] }, data: { values: [[]] } }, 'A');
    expect(frame.length).toBe(0);
    expect(frame.fields[0].values).toEqual([]);
  });
});
