'use client';
import * as React from 'react';
import { Eye, EyeOff } from 'lucide-react';
import { Input } from '@/components/ui/input';
import { cn } from '@/lib/utils';

/** A password input with a show/hide toggle; the value is never read back from the api. */
export function SecretInput({ className, ...props }: React.ComponentProps<typeof Input>) {
  const [shown, setShown] = React.useState(false);
  return (
    <div className={cn('relative', className)}>
      <Input {...props} type={shown ? 'text' : 'password'} autoComplete="new-password" spellCheck={false} className="pr-10" />
      <button
        type="button"
        onClick={() => setShown((s) => !s)}
        className="absolute top-1/2 right-1.5 -translate-y-1/2 rounded-sm p-1 text-muted-foreground outline-none hover:text-foreground focus-visible:ring-2 focus-visible:ring-ring"
        aria-label={shown ? 'Hide value' : 'Show value'}
        aria-pressed={shown}
      >
        {shown ? <EyeOff className="size-4" /> : <Eye className="size-4" />}
      </button>
    </div>
  );
}
