// Bundled with the plugin (no CDN). These only declare @font-face; the families are applied
// inside the plugin's own root element (see BrandRoot), so Grafana's UI keeps its fonts.
import '@fontsource/orbitron/latin-500.css';
import '@fontsource/orbitron/latin-700.css';
import '@fontsource/orbitron/latin-900.css';
import '@fontsource/poppins/latin-400.css';
import '@fontsource/poppins/latin-500.css';
import '@fontsource/poppins/latin-600.css';
