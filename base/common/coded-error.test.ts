import { describe, expect, it } from 'vitest';
import { CodedError } from './coded-error.ts';

class ExampleError extends CodedError<'ONE' | 'TWO'> {
  override readonly name = 'ExampleError';
}

describe('CodedError', () => {
  it('carries its code, its subclass name, its cause, and crosses a boundary as { code, message }', () => {
    const cause = new Error('underneath');
    const error = new ExampleError('TWO', 'it broke', { cause });
    expect(error).toBeInstanceOf(ExampleError);
    expect(error).toBeInstanceOf(CodedError);
    expect(error).toBeInstanceOf(Error);
    expect([error.name, error.code, error.message, error.cause]).toEqual(['ExampleError', 'TWO', 'it broke', cause]);
    expect(String(error)).toBe('ExampleError: it broke');
    expect(error.stack).toMatch(/^ExampleError: it broke\n/);
    expect(error.toValue()).toEqual({ code: 'TWO', message: 'it broke' });
  });
});
