import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { Checkbox } from '../../../src/renderer/src/ui/checkbox';
import { Select } from '../../../src/renderer/src/ui/select';
import { TextField } from '../../../src/renderer/src/ui/text-field';

afterEach(cleanup);

const describedByText = (el: HTMLElement) =>
  (el.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter(Boolean)
    .map((id) => document.getElementById(id)?.textContent);

describe('TextField', () => {
  it('shows the validation message, marks the input invalid and ties both with aria-describedby', () => {
    render(<TextField label="Static address" hint="Address and prefix, e.g. 192.168.2.196/24" error="The prefix is missing. Add /24 or the prefix of your subnet." />);
    const input = screen.getByLabelText('Static address');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText('The prefix is missing. Add /24 or the prefix of your subnet.')).toBeTruthy();
    expect(describedByText(input)).toEqual(['The prefix is missing. Add /24 or the prefix of your subnet.', 'Address and prefix, e.g. 192.168.2.196/24']);
  });

  it('is not invalid and describes only its hint when there is no error', () => {
    render(<TextField label="Gateway" hint="Inside the subnet." />);
    const input = screen.getByLabelText('Gateway');
    expect(input.hasAttribute('aria-invalid')).toBe(false);
    expect(describedByText(input)).toEqual(['Inside the subnet.']);
  });

  it('has no aria-describedby when there is nothing to describe', () => {
    render(<TextField label="Name" />);
    expect(screen.getByLabelText('Name').hasAttribute('aria-describedby')).toBe(false);
  });
});

describe('Select and Checkbox', () => {
  it('label, hint and error work the same way as on TextField', () => {
    render(
      <>
        <Select label="Key type" options={[{ value: 'p256', label: 'EC P-256' }, { value: 'rsa2048', label: 'RSA 2048' }]} error="The AIO broker rejects a chain that mixes EC and RSA." />
        <Checkbox label="Verify the server certificate" hint="Leave on unless you are diagnosing." error="Turning this off hides real TLS faults." />
      </>,
    );
    const select = screen.getByLabelText('Key type');
    expect(select.getAttribute('aria-invalid')).toBe('true');
    expect(describedByText(select)).toEqual(['The AIO broker rejects a chain that mixes EC and RSA.']);
    const box = screen.getByLabelText('Verify the server certificate');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(describedByText(box)).toEqual(['Turning this off hides real TLS faults.', 'Leave on unless you are diagnosing.']);
  });
});
