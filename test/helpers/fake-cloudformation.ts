import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A fake CloudFormation endpoint that knows some stacks' outputs. */
export interface FakeCloudFormation {
  readonly url: string;
  /** Stack names asked for, in order. */
  readonly asked: string[];
  close(): Promise<void>;
}

const escape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Starts a CloudFormation stand-in on 127.0.0.1 speaking the AWS Query protocol (form-encoded
 * POST, XML answers) for `DescribeStacks`, as the real SDK client calls it through
 * `AWS_ENDPOINT_URL_CLOUDFORMATION`. Unknown stacks get CloudFormation's `ValidationError`.
 */
export async function startFakeCloudFormation(stacks: Record<string, Record<string, string>>): Promise<FakeCloudFormation> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (part: Buffer) => (body += part.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const name = form.get('StackName') ?? '';
      asked.push(name);
      const outputs = form.get('Action') === 'DescribeStacks' ? stacks[name] : undefined;
      res.setHeader('content-type', 'text/xml');
      if (!outputs) {
        res.statusCode = 400;
        res.end(`<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escape(name)} does not exist</Message></Error><RequestId>fake</RequestId></ErrorResponse>`);
        return;
      }
      const members = Object.entries(outputs)
        .map(([key, value]) => `<member><OutputKey>${escape(key)}</OutputKey><OutputValue>${escape(value)}</OutputValue></member>`)
        .join('');
      res.end(
        `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>` +
          `<StackName>${escape(name)}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-11-24T00:00:00Z</CreationTime>` +
          `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
