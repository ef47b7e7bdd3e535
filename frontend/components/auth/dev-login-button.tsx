'use client';
import { Zap } from 'lucide-react';
import { useAuthOptions, useDevLogin } from '@/lib/api/auth';
import { useAuth } from '@/lib/auth/auth-provider';
import { Button } from '@/components/ui/button';
import { InlineError } from '@/components/common/states';

/** Shown only when the api reports dev mode (`GET /api/auth/options`). */
export function DevLoginButton() {
  const options = useAuthOptions();
  const devLogin = useDevLogin();
  const { signIn } = useAuth();
  if (!options.data?.devMode) return null;
  return (
    <div className="flex flex-col gap-3">
      <div className="flex items-center gap-3 text-xs text-muted-foreground">
        <span className="h-px flex-1 bg-border" /> or <span className="h-px flex-1 bg-border" />
      </div>
      <Button
        variant="secondary"
        data-testid="dev-login"
        disabled={devLogin.isPending}
        onClick={() => devLogin.mutate(undefined, { onSuccess: signIn })}
      >
        <Zap /> {devLogin.isPending ? 'Signing in…' : 'Skip login — dev mode'}
      </Button>
      <InlineError error={devLogin.error} />
    </div>
  );
}
