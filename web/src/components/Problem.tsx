// An error as people should read it: the API problem's `detail`, in an alert region.
export function ErrorNote({ message, testid = "error" }: { message?: string | null; testid?: string }) {
  if (!message) return null;
  return (
    <p role="alert" class="error-note" data-testid={testid}>
      {message}
    </p>
  );
}
