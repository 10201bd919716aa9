import { lineChart, niceTicks } from '../src/report/svg-chart';

describe('SVG charts', () => {
  test('ticks are 1-2-5 steps covering the range', () => {
    expect(niceTicks(0, 100)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 7)).toEqual([0, 2, 4, 6]);
  });

  test('a chart is well-formed SVG with every series, marker and the limit line', () => {
    const svg = lineChart({
      title: 'A & B',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        {
          name: 'one',
          points: [
            { x: 0, y: 1 },
            { x: 1, y: null },
            { x: 2, y: 3 },
          ],
        },
        {
          name: 'two',
          points: [
            { x: 0, y: 2 },
            { x: 2, y: 4 },
          ],
          dashed: true,
        },
      ],
      markers: [{ x: 1, label: 'kill' }],
      limit: { y: 3.5, label: 'bar' },
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('A &amp; B');
    // the null breaks series "one" into two polylines
    expect(svg.match(/<polyline/g)).toHaveLength(3);
    expect(svg).toContain('>kill<');
    expect(svg).toContain('>bar<');
  });

  test("series colours and the y format are the caller's (learn-eval: percentages on a fixed axis)", () => {
    const svg = lineChart({
      title: 'curve',
      xLabel: 'calls',
      yLabel: 'conversion',
      yMax: 1,
      yFormat: (y) => `${Math.round(y * 100)}%`,
      series: [
        {
          name: 'policy',
          color: '#facc15',
          points: [
            { x: 0, y: 0.2 },
            { x: 100, y: 0.6 },
          ],
        },
      ],
    });
    expect(svg).toContain('stroke="#facc15"');
    expect(svg).toContain('>100%</text>');
    expect(svg).toContain('>40%</text>');
  });
});
