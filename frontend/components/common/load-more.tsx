'use client';
import { Button } from '@/components/ui/button';

/** The next page of an infinite query, on request. Renders nothing on the last page. */
export function LoadMore({
  query,
  className = 'border-t p-3',
  testId,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage(): unknown };
  className?: string;
  testId?: string;
}) {
  if (!query.hasNextPage) return null;
  return (
    <div className={`text-center ${className}`}>
      <Button variant="outline" size="sm" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage} data-testid={testId}>
        {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
      </Button>
    </div>
  );
}
