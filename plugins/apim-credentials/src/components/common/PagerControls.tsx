import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';
import type { KeysetPages } from './useKeysetPages';

/**
 * Previous / next buttons of a keyset-paged list, with the page number; both are disabled while
 * a page loads.
 *
 * @param props.pages - the list's paging state, from `useKeysetPages`
 */
export function PagerControls(props: {
  pages: Pick<
    KeysetPages<unknown>,
    'pageNumber' | 'hasPrevious' | 'hasNext' | 'previous' | 'next' | 'loading'
  >;
}) {
  const { pages } = props;
  const buttons = [
    { label: 'Previous page', onClick: pages.previous, on: pages.hasPrevious },
    { label: 'Next page', onClick: pages.next, on: pages.hasNext },
  ];
  return (
    <Box
      display="flex"
      alignItems="center"
      justifyContent="flex-end"
      mt={1}
      style={{ gap: 8 }}
    >
      <Typography variant="body2" color="textSecondary">
        Page {pages.pageNumber}
      </Typography>
      {buttons.map(button => (
        <Button
          key={button.label}
          size="small"
          onClick={button.onClick}
          disabled={pages.loading || !button.on}
        >
          {button.label}
        </Button>
      ))}
    </Box>
  );
}
