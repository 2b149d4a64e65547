import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Typography from '@material-ui/core/Typography';

/** Previous / next buttons of a keyset-paged list. */
export function PagerControls(props: {
  pageNumber: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
  disabled?: boolean;
}) {
  return (
    <Box
      display="flex"
      alignItems="center"
      justifyContent="flex-end"
      mt={1}
      style={{ gap: 8 }}
    >
      <Typography variant="body2" color="textSecondary">
        Page {props.pageNumber}
      </Typography>
      <Button
        size="small"
        onClick={props.onPrevious}
        disabled={props.disabled || !props.hasPrevious}
      >
        Previous page
      </Button>
      <Button
        size="small"
        onClick={props.onNext}
        disabled={props.disabled || !props.hasNext}
      >
        Next page
      </Button>
    </Box>
  );
}
