'use client';
import * as React from 'react';
import { DropdownMenu } from 'radix-ui';
import { EllipsisVertical } from 'lucide-react';
import { Button } from '@/components/ui/button';

export interface MenuAction {
  label: string;
  icon?: React.ComponentType<{ className?: string }>;
  onSelect(): void;
  disabled?: boolean;
  testId?: string;
}

/** A connection's less frequent actions (keyboard: Enter/Space opens, arrows move, Escape closes). */
export function ConnectionMenu({ name, actions }: { name: string; actions: MenuAction[] }) {
  if (actions.length === 0) return null;
  return (
    <DropdownMenu.Root modal={false}>
      <DropdownMenu.Trigger asChild>
        <Button variant="ghost" size="icon-sm" aria-label={`More actions for ${name}`} data-testid="credential-menu">
          <EllipsisVertical />
        </Button>
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content
          align="end"
          sideOffset={4}
          className="z-50 min-w-44 rounded-md border bg-popover p-1 text-sm text-popover-foreground shadow-md data-[state=open]:animate-in data-[state=open]:fade-in"
        >
          {actions.map((a) => {
            const Icon = a.icon;
            return (
              <DropdownMenu.Item
                key={a.label}
                disabled={a.disabled}
                onSelect={a.onSelect}
                data-testid={a.testId}
                className="flex cursor-pointer items-center gap-2 rounded-sm px-2 py-1.5 outline-none select-none data-[disabled]:pointer-events-none data-[disabled]:opacity-50 data-[highlighted]:bg-accent data-[highlighted]:text-accent-foreground [&_svg]:size-4"
              >
                {Icon && <Icon aria-hidden />}
                {a.label}
              </DropdownMenu.Item>
            );
          })}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
