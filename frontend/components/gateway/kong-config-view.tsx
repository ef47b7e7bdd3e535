'use client';
import * as React from 'react';
import { dump } from 'js-yaml';
import type { KongConfig } from '@/lib/api/types';
import { Tabs, TabsList, TabsTrigger } from '@/components/ui/tabs';
import { CopyButton } from '@/components/common/copy-button';
import { JsonView } from '@/components/common/json-view';
import { cn } from '@/lib/utils';

type Format = 'yaml' | 'json';

/** Kong declarative config as kong.yml (YAML) or as the JSON Kong's POST /config takes, with a copy button. */
export function KongConfigView({ config, className, testId = 'kong-config' }: { config: KongConfig; className?: string; testId?: string }) {
  const [format, setFormat] = React.useState<Format>('yaml');
  const text = React.useMemo(() => (format === 'yaml' ? dump(config, { noRefs: true }) : `${JSON.stringify(config, null, 2)}\n`), [config, format]);
  return (
    <div className={cn('flex min-w-0 flex-col gap-2', className)}>
      <div className="flex items-center justify-between gap-2">
        <Tabs value={format} onValueChange={(v) => setFormat(v as Format)}>
          <TabsList aria-label="Format">
            <TabsTrigger value="yaml" data-testid={`${testId}-yaml`}>
              YAML
            </TabsTrigger>
            <TabsTrigger value="json" data-testid={`${testId}-json`}>
              JSON
            </TabsTrigger>
          </TabsList>
        </Tabs>
        <CopyButton value={text} label={`Copy ${format.toUpperCase()}`} testId={`${testId}-copy`} />
      </div>
      <JsonView value={text} className="max-h-[28rem] break-normal whitespace-pre" testId={`${testId}-text`} />
    </div>
  );
}
