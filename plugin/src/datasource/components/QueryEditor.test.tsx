import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { QueryEditor } from './QueryEditor';
import type { VoiceQuery } from '../types';

function setup(query: Partial<VoiceQuery>) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  render(
    <QueryEditor
      query={{ refId: 'A', ...query } as VoiceQuery}
      onChange={onChange}
      onRunQuery={onRunQuery}
      datasource={{} as any}
    />
  );
  return { onChange, onRunQuery };
}

describe('QueryEditor', () => {
  it('offers every query kind and switches to a kind with its defaults', async () => {
    const { onChange, onRunQuery } = setup({ kind: 'active_calls' });
    const kind = screen.getByLabelText('Query kind');
    await userEvent.click(kind);
    for (const label of [
      'Call volume',
      'Beast Mode',
      'Learning graph',
      'Transcript search',
      'Capacity',
      'Unrecognised utterances',
    ]) {
      expect(screen.getByText(label)).toBeInTheDocument();
    }
    await userEvent.click(screen.getByText('Beast Mode'));
    expect(onChange).toHaveBeenCalledWith({ refId: 'A', kind: 'beast_mode', mode: 'timeseries', skill: 'all' });
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('shows only the options of the chosen kind', () => {
    setup({ kind: 'recent_calls', limit: 50 });
    expect(screen.getByLabelText('Direction')).toBeInTheDocument();
    expect(screen.getByLabelText('Outcome')).toBeInTheDocument();
    expect(screen.getByLabelText('Limit')).toHaveValue(50);
    expect(screen.queryByLabelText('Search text')).not.toBeInTheDocument();
  });

  it('edits the semantic search text and runs on blur', () => {
    const { onChange, onRunQuery } = setup({ kind: 'transcript_search', text: '', limit: 20 });
    const text = screen.getByLabelText('Search text');
    fireEvent.change(text, { target: { value: 'too expensive' } });
    expect(onChange).toHaveBeenCalledWith(
      expect.objectContaining({ kind: 'transcript_search', text: 'too expensive' })
    );
    expect(onRunQuery).not.toHaveBeenCalled();
    fireEvent.blur(text);
    expect(onRunQuery).toHaveBeenCalled();
  });

  it('keeps limits within the contract', () => {
    const { onChange } = setup({ kind: 'top_objections', limit: 10 });
    fireEvent.change(screen.getByLabelText('Limit'), { target: { value: '500' } });
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ limit: 50 }));
  });

  it('takes a call id for a transcript', () => {
    const { onChange } = setup({ kind: 'transcript', callId: '' });
    fireEvent.change(screen.getByLabelText('Call ID'), { target: { value: ' $call ' } });
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ callId: '$call' }));
  });
});
