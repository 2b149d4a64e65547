import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';

/** One choice of a {@link SelectFilter}. */
export type SelectOption = { value: string; label: string };

/** Choices that show their value as it is (actions, outcomes, states). */
export function choicesOf(values: readonly string[]): SelectOption[] {
  return values.map(value => ({ value, label: value }));
}

/** A drop-down filter whose first option is "any". */
export function SelectFilter(props: {
  id: string;
  label: string;
  value: string;
  options: SelectOption[];
  onChange: (value: string) => void;
}) {
  return (
    <TextField
      select
      id={props.id}
      label={props.label}
      value={props.value}
      onChange={e => props.onChange(e.target.value as string)}
      style={{ minWidth: 160 }}
      size="small"
      variant="outlined"
    >
      <MenuItem value="">
        <em>Any</em>
      </MenuItem>
      {props.options.map(o => (
        <MenuItem key={o.value} value={o.value}>
          {o.label}
        </MenuItem>
      ))}
    </TextField>
  );
}

/**
 * Drop-down filters bound to the fields of a filter form's draft: each shows `draft[field]`, sets
 * it through `set(field)`, and has the id `${prefix}-${field}` with the field in kebab case
 * (`keyManager` -> `mappings-key-manager`).
 */
export function draftSelects<K extends string>(
  prefix: string,
  draft: Record<K, string>,
  set: (field: K) => (value: string) => void,
) {
  return (field: K, label: string, options: SelectOption[]) => (
    <SelectFilter
      id={`${prefix}-${field.replace(/[A-Z]/g, c => `-${c.toLowerCase()}`)}`}
      label={label}
      value={draft[field]}
      options={options}
      onChange={set(field)}
    />
  );
}
