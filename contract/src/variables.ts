/** GET /api/grafana/variables/:name — template variable values. */
export const VARIABLE_NAMES = ['directions', 'outcomes', 'skills', 'objections', 'personas', 'campaigns'] as const;
export type VariableName = (typeof VARIABLE_NAMES)[number];

export interface VariableValue {
  text: string;
  value: string;
}
