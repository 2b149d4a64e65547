import { useEffect, useState } from 'react';
import TextField from '@material-ui/core/TextField';
import Autocomplete from '@material-ui/lab/Autocomplete';
import { useApi } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { stringifyEntityRef } from '@backstage/catalog-model';

const SUGGESTIONS = 20;
const TYPING_PAUSE_MS = 250;

/**
 * A catalog picker for a filter (issue 15 item 5): free text, with the catalog's entities of the
 * given kinds as suggestions while typing (`catalogApiRef`, full-text search on name and title).
 * The value is what the person typed or picked; turning it into a ref and checking it is the
 * filter's job, which shows its verdict as `error`.
 */
export function EntityRefPicker(props: {
  id: string;
  label: string;
  placeholder: string;
  kinds: string[];
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const catalogApi = useApi(catalogApiRef);
  const [options, setOptions] = useState<string[]>([]);
  const { value, kinds } = props;
  const kindsKey = kinds.join(',');

  useEffect(() => {
    let current = true;
    const term = value.trim();
    const timer = setTimeout(() => {
      catalogApi
        .queryEntities({
          filter: { kind: kindsKey.split(',') },
          fullTextFilter: term
            ? { term, fields: ['metadata.name', 'metadata.title'] }
            : undefined,
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
          limit: SUGGESTIONS,
        })
        .then(result => {
          if (current) {
            setOptions(
              result.items.map(e =>
                stringifyEntityRef(e).toLocaleLowerCase('en-US'),
              ),
            );
          }
        })
        // Suggestions are a help, not a requirement: a catalog that does not answer leaves the
        // field a plain text box.
        .catch(() => current && setOptions([]));
    }, TYPING_PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [catalogApi, value, kindsKey]);

  return (
    <Autocomplete
      id={props.id}
      freeSolo
      options={options}
      // Both the text and the picked value are the field's value: Autocomplete "resets" its text
      // to the picked value (also on mount), which must not clear what a link put there.
      value={value || null}
      onChange={(_, picked) => props.onChange(picked ?? '')}
      inputValue={value}
      onInputChange={(_, text, reason) => {
        if (reason !== 'reset') props.onChange(text);
      }}
      filterOptions={x => x}
      style={{ minWidth: 240 }}
      renderInput={params => (
        <TextField
          {...params}
          label={props.label}
          placeholder={props.placeholder}
          size="small"
          variant="outlined"
          error={Boolean(props.error)}
          helperText={props.error}
        />
      )}
    />
  );
}
