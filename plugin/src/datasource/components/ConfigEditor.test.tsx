import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import { ConfigEditor } from './ConfigEditor';

const base = {
  id: 1,
  uid: 'voice',
  orgId: 1,
  name: 'Voice',
  type: 'magnificentworldwide-voiceagent-datasource',
  typeName: '',
  typeLogoUrl: '',
  access: 'proxy',
  url: '',
  user: '',
  database: '',
  basicAuth: false,
  basicAuthUser: '',
  isDefault: false,
  readOnly: false,
  withCredentials: false,
  version: 1,
  jsonData: { url: 'http://api:5000' },
  secureJsonFields: {},
} as any;

describe('ConfigEditor', () => {
  it('edits the server URL in jsonData', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={base} onOptionsChange={onOptionsChange} />);
    const url = screen.getByPlaceholderText('http://voice-agent-api:5000');
    expect(url).toHaveValue('http://api:5000');
    fireEvent.change(url, { target: { value: ' http://voice:5000 ' } });
    expect(onOptionsChange).toHaveBeenCalledWith(expect.objectContaining({ jsonData: { url: 'http://voice:5000' } }));
  });

  it('puts the token in secureJsonData only', () => {
    const onOptionsChange = jest.fn();
    render(<ConfigEditor options={base} onOptionsChange={onOptionsChange} />);
    fireEvent.change(screen.getByPlaceholderText('API token'), { target: { value: 's3cret-token-value' } });
    const next = onOptionsChange.mock.calls[0][0];
    expect(next.secureJsonData).toEqual({ apiToken: 's3cret-token-value' });
    expect(JSON.stringify(next.jsonData)).not.toContain('s3cret');
  });

  it('shows a configured token as set and can reset it', () => {
    const onOptionsChange = jest.fn();
    render(
      <ConfigEditor options={{ ...base, secureJsonFields: { apiToken: true } }} onOptionsChange={onOptionsChange} />
    );
    expect(screen.getByDisplayValue('configured')).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: /reset/i }));
    const next = onOptionsChange.mock.calls[0][0];
    expect(next.secureJsonFields.apiToken).toBe(false);
    expect(next.secureJsonData.apiToken).toBe('');
  });
});
