/** The Magnificent Worldwide brand: dark navy, blue → gold gradient, Orbitron headers, Poppins body. */
export const BRAND = {
  background: '#0f172a',
  surface: '#111c33',
  surfaceRaised: '#16223d',
  border: 'rgba(148, 163, 184, 0.16)',
  text: '#e2e8f0',
  muted: '#94a3b8',
  blue: '#3b82f6',
  gold: '#facc15',
  good: '#22c55e',
  bad: '#f43f5e',
  gradient: 'linear-gradient(135deg, #3b82f6 0%, #facc15 100%)',
  headerFont: "'Orbitron', 'Poppins', sans-serif",
  bodyFont: "'Poppins', sans-serif",
  /** Series colours after the first (which is drawn with the gradient). */
  palette: ['#3b82f6', '#facc15', '#38bdf8', '#a78bfa', '#f97316', '#22c55e', '#f43f5e'],
};
